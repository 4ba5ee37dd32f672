package messages

// Why a news source or a delivery failed, said to a person. The raw error
// (English, from Go or from Telegram) stays in the operator's log; these are
// what an admin or the author of a broadcast reads. None has arguments.
const (
	KeyFeedErrUnreachable Key = "reason.feed_unreachable" // no connection, or an HTTP error status
	KeyFeedErrTimeout     Key = "reason.feed_timeout"     // no complete answer in time
	KeyFeedErrTooBig      Key = "reason.feed_too_big"     // more than the size limit
	KeyFeedErrNotFeed     Key = "reason.feed_not_feed"    // not RSS, Atom or JSON Feed
	KeyFeedErrBadURL      Key = "reason.feed_bad_url"     // not an http(s) address
	KeyFeedErrInternal    Key = "reason.feed_internal"    // on a loopback, private or other internal address
	KeyFeedErrOther       Key = "reason.feed_other"       // anything else

	KeyDeliveryErrBlocked     Key = "reason.delivery_blocked"     // the person blocked Loa
	KeyDeliveryErrDeactivated Key = "reason.delivery_deactivated" // the Telegram account was deleted
	KeyDeliveryErrKicked      Key = "reason.delivery_kicked"      // Loa was removed from the group
	KeyDeliveryErrNotMember   Key = "reason.delivery_not_member"  // Loa is not (or no longer) in the group
	KeyDeliveryErrLeft        Key = "reason.delivery_left"        // Loa had already left or been removed from the chat
	KeyDeliveryErrNotFound    Key = "reason.delivery_not_found"   // the chat no longer exists
	KeyDeliveryErrTooLong     Key = "reason.delivery_too_long"    // the text is over Telegram's limit
	KeyDeliveryErrFormat      Key = "reason.delivery_format"      // Telegram could not read the formatting
	KeyDeliveryErrUpgraded    Key = "reason.delivery_upgraded"    // the group became a supergroup
	KeyDeliveryErrRateLimit   Key = "reason.delivery_rate_limit"  // Telegram asked to slow down
	KeyDeliveryErrGaveUp      Key = "reason.delivery_gave_up"     // tried many times without success
	KeyDeliveryErrOther       Key = "reason.delivery_other"       // anything else

	KeyDeliveryErrCaptionTooLong Key = "reason.delivery_caption_too_long" // the caption is over Telegram's limit
	KeyDeliveryErrBadFile        Key = "reason.delivery_bad_file"         // Telegram does not know the file
	KeyDeliveryErrCantEdit       Key = "reason.delivery_cant_edit"        // the message can no longer be edited
	KeyDeliveryErrCantDelete     Key = "reason.delivery_cant_delete"      // the message is too old to delete
	KeyDeliveryErrCantPin        Key = "reason.delivery_cant_pin"         // Loa may not pin messages in the group
)
