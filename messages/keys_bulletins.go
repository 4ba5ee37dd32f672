package messages

// Bulletins with files, albums and answers: what the preview adds, and
// the kinds of file as people call them.
const (
	// KeyBulletinAttached heads the preview of a bulletin with one file.
	// Argument: what the file is (HTML: a KeyMedia* word and its name).
	KeyBulletinAttached Key = "bulletin.attached"
	// KeyBulletinAlbum heads the preview of a bulletin with an album.
	// Argument: number of files (int).
	KeyBulletinAlbum Key = "bulletin.album"
	// KeyBulletinCaptionSplit: the text is longer than a caption may be,
	// so the file goes first and the text as its own message. Argument:
	// the caption limit (int).
	KeyBulletinCaptionSplit Key = "bulletin.caption_split"
	// The kinds of file (plain words, lower case).
	KeyMediaPhoto    Key = "media.photo"
	KeyMediaDocument Key = "media.document"
	KeyMediaVideo    Key = "media.video"
	KeyMediaAudio    Key = "media.audio"
	KeyMediaVoice    Key = "media.voice"
)

// Answers: the buttons under each copy, the author's board, the list of
// those who have not answered, the reminder.
const (
	// KeyAnswerConfirm is the one answer of a confirmation (plain).
	KeyAnswerConfirm Key = "answer.confirm"
	// KeyAnswerRecorded, KeyAnswerChanged, KeyAnswerSame are toasts
	// (plain). Arguments: the answer (string); Changed: the one before too.
	KeyAnswerRecorded Key = "answer.recorded"
	KeyAnswerChanged  Key = "answer.changed"
	KeyAnswerSame     Key = "answer.same"
	// KeyAnswerNotYours: the presser is no member of a unit it was sent
	// to (toast, plain).
	KeyAnswerNotYours Key = "answer.not_yours"
	// KeyAnswersHeader heads the board. Arguments: answered (string
	// number), expected (string number).
	KeyAnswersHeader Key = "answers.header"
	// KeyAnswersUnitLine is one unit of the board. Arguments: unit name
	// (string), chats delivered (string number), answered (string number),
	// members (string number), the counts (HTML, KeyAnswersCount joined).
	KeyAnswersUnitLine Key = "answers.unit_line"
	// KeyAnswersCount is one answer's count. Arguments: answer (string),
	// count (string number).
	KeyAnswersCount Key = "answers.count"
	// KeyAnswersListButton, KeyAnswersRemindButton label the board's
	// buttons (plain).
	KeyAnswersListButton   Key = "answers.list_button"
	KeyAnswersRemindButton Key = "answers.remind_button"
	// KeyUnansweredHeader heads the list of those who have not answered.
	// Arguments: broadcast id (int), how many (int).
	KeyUnansweredHeader Key = "unanswered.header"
	// KeyUnansweredUnit heads one unit of the list. Arguments: unit name
	// (string), names (string, comma separated).
	KeyUnansweredUnit Key = "unanswered.unit"
	// KeyUnansweredNone: everyone answered. Argument: broadcast id (int).
	KeyUnansweredNone Key = "unanswered.none"
	// KeyUnansweredNoAnswers: the bulletin asks for no answers. Argument: id (int).
	KeyUnansweredNoAnswers Key = "unanswered.no_answers"
	// KeyAcksUsage explains /acks.
	KeyAcksUsage Key = "acks.usage"
	// KeyCmdAcks describes /acks.
	KeyCmdAcks Key = "cmd.acks"
	// KeyBulletinReminder is the reminder. Argument: broadcast id (int).
	KeyBulletinReminder Key = "bulletin.reminder"
	// KeyRemindStarted answers "Nhắc lại". Arguments: reminded now (int),
	// reminded before (int), without a private chat (int).
	KeyRemindStarted Key = "remind.started"
	// KeyPinRefused adds to the report: groups where the bulletin could not
	// be pinned. Argument: how many (int).
	KeyPinRefused Key = "bulletin.pin_refused"
	// KeyEditStarted, KeyRecallStarted answer /edit and /recall at once:
	// the copies change in the background, the report follows. Argument:
	// broadcast id (int).
	KeyEditStarted   Key = "edit.started"
	KeyRecallStarted Key = "recall.started"
)

// The preview's buttons and lines for the options.
const (
	KeyOptUrgentButton  Key = "opt.urgent_button"  // plain; "✓ " is added when on
	KeyOptConfirmButton Key = "opt.confirm_button" // plain
	KeyOptAtButton      Key = "opt.at_button"      // plain
	KeyOptPinButton     Key = "opt.pin_button"     // plain
	// KeyOptRemindButton labels the automatic reminder's button. Argument:
	// the delay, or "tắt" (string).
	KeyOptRemindButton Key = "opt.remind_button"
	KeyOptRemindOff    Key = "opt.remind_off" // plain
	// KeyOptMinutes, KeyOptHours say a delay as the button shows it.
	KeyOptMinutes Key = "opt.minutes" // argument: minutes (int)
	KeyOptHours   Key = "opt.hours"   // argument: hours (int)
	// KeyOptAtToday, KeyOptAtTomorrow label a time to send (plain).
	// Argument: the time (string, 07:00).
	KeyOptAtToday    Key = "opt.at_today"
	KeyOptAtTomorrow Key = "opt.at_tomorrow"
	KeyOptAtNow      Key = "opt.at_now"  // plain: send as soon as Send is pressed
	KeyOptBack       Key = "opt.back"    // plain
	KeyOptAtHelp     Key = "opt.at_help" // how to type another time
	// KeyPreviewAnswers is the preview's line for answers. Argument: the
	// answers (string, " | " between them).
	KeyPreviewAnswers Key = "preview.answers"
	// KeyPreviewPin: the bulletin will be pinned in groups.
	KeyPreviewPin Key = "preview.pin"
	// KeyPreviewRemind: the automatic reminder. Argument: the delay (string).
	KeyPreviewRemind Key = "preview.remind"
	// KeyPreviewHint tells how to type answers and options (always shown
	// under the preview).
	KeyPreviewHint Key = "preview.hint"
	// KeyBroadcastBadAnswers: an unclosed list, an empty answer or more
	// than four.
	// Argument: max (int).
	KeyBroadcastBadAnswers Key = "broadcast.bad_answers"
)
