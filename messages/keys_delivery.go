package messages

// What the delivery engine tells the author of a broadcast: one status
// message, edited in place while it is sent, then a report. (The commands
// around broadcasts, /broadcast, /broadcasts and /cancel, have their keys in
// keys_broadcast.go.)
const (
	// KeyDeliveryStatus is the status message while a broadcast is sent.
	// Arguments: broadcast id (int), deliveries through (string, formatted
	// with Number), total (string, Number), progress bar (string), percent
	// (int).
	KeyDeliveryStatus Key = "delivery.status"
	// KeyDeliveryStatusDone is its last form once everything went out; same
	// arguments.
	KeyDeliveryStatusDone Key = "delivery.status_done"
	// KeyDeliveryStatusCancelled is its last form after /cancel; same
	// arguments.
	KeyDeliveryStatusCancelled Key = "delivery.status_cancelled"
	// KeyDeliveryReport is the final report. Arguments: broadcast id (int),
	// total, sent, blocked, failed (strings, Number).
	KeyDeliveryReport Key = "delivery.report"
	// KeyDeliveryReportCancelled is the report's line for deliveries not
	// sent because of /cancel. Argument: their number (string, Number).
	KeyDeliveryReportCancelled Key = "delivery.report_cancelled"
	// KeyDeliveryReportReasons heads the list of reasons in the report.
	KeyDeliveryReportReasons Key = "delivery.report_reasons"
	// KeyDeliveryReportReason is one reason. Arguments: the reason in the
	// reader's words (DeliveryReason), how many chats (string, Number).
	KeyDeliveryReportReason Key = "delivery.report_reason"
)
