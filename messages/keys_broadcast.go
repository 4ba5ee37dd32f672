package messages

// Broadcasts as the author sees them in chat: /broadcast's preview and its
// buttons, /broadcasts, /cancel. The status and the final report while a
// broadcast is sent belong to the delivery engine's keys.
const (
	// KeyBroadcastUsage explains /broadcast.
	KeyBroadcastUsage Key = "broadcast.usage"
	// KeyBroadcastPreview shows what will be sent before anything is.
	// Arguments: chat count (int), unit list (string), the text as it will
	// arrive (HTML).
	KeyBroadcastPreview Key = "broadcast.preview"
	// KeyBroadcastNobody: the units reach no chat. Argument: unit list (string).
	KeyBroadcastNobody Key = "broadcast.nobody"
	// KeyBroadcastSendButton, KeyBroadcastCancelButton: button labels (plain).
	KeyBroadcastSendButton   Key = "broadcast.send_button"
	KeyBroadcastCancelButton Key = "broadcast.cancel_button"
	// KeyBroadcastNothingToRead: the text is only invisible characters
	// (spaces, zero-width characters, fillers); nothing would be sent.
	KeyBroadcastNothingToRead Key = "broadcast.nothing_to_read"
	// KeyBroadcastNoLongerAllowed is a toast (plain text): the author pressed
	// Send but no longer acts for every unit of the preview.
	KeyBroadcastNoLongerAllowed Key = "broadcast.no_longer_allowed"
	// KeyBroadcastStarted replaces the preview once Send is pressed.
	// Arguments: id (int), chat count (int).
	KeyBroadcastStarted Key = "broadcast.started"
	// KeyBroadcastDropped replaces the preview once Cancel is pressed.
	KeyBroadcastDropped Key = "broadcast.dropped"
	// KeyBroadcastNotYours is a toast (plain): only the author sends or cancels.
	KeyBroadcastNotYours Key = "broadcast.not_yours"
	// KeyBroadcastTooLong: the text is longer than a broadcast may be. Argument: max (int).
	KeyBroadcastTooLong Key = "broadcast.too_long"
	// KeyBroadcastsHeader heads /broadcasts; KeyBroadcastsLine is one.
	// Line arguments: id (int), date (string), state (HTML), sent (int),
	// total (int), blocked (int), failed (int), excerpt (string).
	KeyBroadcastsHeader Key = "broadcasts.header"
	KeyBroadcastsLine   Key = "broadcasts.line"
	KeyBroadcastsEmpty  Key = "broadcasts.empty"
	// KeyBroadcastCancelled: /cancel stopped a broadcast. Arguments: id (int), deliveries not sent (int).
	KeyBroadcastCancelled Key = "broadcast.cancelled"
	// KeyBroadcastUnknown: no such broadcast (or not the asker's). Argument: id text (string).
	KeyBroadcastUnknown Key = "broadcast.unknown"
	// KeyCancelUsage explains /cancel.
	KeyCancelUsage Key = "cancel.usage"
	// KeyBroadcastBadTime: the "@07:00 15/12" option is not a time.
	KeyBroadcastBadTime Key = "broadcast.bad_time"
	// KeyBroadcastPreviewUrgent heads the preview of an urgent bulletin.
	KeyBroadcastPreviewUrgent Key = "broadcast.preview_urgent"
	// KeyBroadcastPreviewAt heads the preview of a scheduled one. Argument: date and time (string).
	KeyBroadcastPreviewAt Key = "broadcast.preview_at"
	// KeyBroadcastsScheduled follows a line of /broadcasts for a scheduled
	// bulletin. Argument: date and time (string).
	KeyBroadcastsScheduled Key = "broadcasts.scheduled"
	// KeyEditUsage, KeyRecallUsage explain /edit and /recall.
	KeyEditUsage   Key = "edit.usage"
	KeyRecallUsage Key = "recall.usage"
	// KeyEditTooLong: an edit changes one message per chat. Argument: max (int).
	KeyEditTooLong Key = "edit.too_long"
	// KeyEditReport, KeyRecallReport: what /edit and /recall did.
	// Arguments: id (int), messages changed (int), messages to change (int).
	KeyEditReport   Key = "edit.report"
	KeyRecallReport Key = "recall.report"
	// KeyRevisionRefused heads the reasons Telegram refused some.
	KeyRevisionRefused Key = "revision.refused"
	// Descriptions.
	KeyCmdEdit       Key = "cmd.edit"
	KeyCmdRecall     Key = "cmd.recall"
	KeyCmdBroadcasts Key = "cmd.broadcasts"
	KeyCmdCancel     Key = "cmd.cancel"
)

// States of a broadcast as /broadcasts names them.
const (
	KeyStateDraft     Key = "broadcast.state_draft"
	KeyStateSending   Key = "broadcast.state_sending"
	KeyStateDone      Key = "broadcast.state_done"
	KeyStateCancelled Key = "broadcast.state_cancelled"
)
