package messages

// Reports from the field (issue 13): /baocao (/report), the kind and unit
// buttons, what officers receive and press, what the reporter is told, the
// lists, the weekly digest's section and the export's headings. Unit names,
// people's names and notes arrive as strings (escaped); dates as strings
// already formatted; ready-made fragments as HTML.
const (
	KeyCmdReport Key = "cmd.report"

	// What the reporter meets.
	KeyReportAskContent Key = "report.ask_content"
	KeyReportNoUnit     Key = "report.no_unit"
	KeyReportAskKind    Key = "report.ask_kind"
	KeyReportAskUnit    Key = "report.ask_unit"
	KeyReportNeedLink   Key = "report.need_link"
	// KeyReportThanks. Arguments: report number, unit name.
	KeyReportThanks Key = "report.thanks"
	// KeyReportThanksJoined. Arguments: report number, people who reported it.
	KeyReportThanksJoined Key = "report.thanks_joined"
	// KeyReportDraftGone is a toast (plain): the draft expired or was sent.
	KeyReportDraftGone Key = "report.draft_gone"

	// Kinds (plain: button labels too).
	KeyReportKindOpinion Key = "report.kind_opinion"
	KeyReportKindFalse   Key = "report.kind_false"
	KeyReportKindModel   Key = "report.kind_model"
	KeyReportKindBorder  Key = "report.kind_border"
	KeyReportKindOther   Key = "report.kind_other"

	// States (plain).
	KeyReportStateNew       Key = "report.state_new"
	KeyReportStateTaken     Key = "report.state_taken"
	KeyReportStateEscalated Key = "report.state_escalated"
	KeyReportStateHandled   Key = "report.state_handled"

	// History actions (plain).
	KeyReportActionCreated   Key = "report.action_created"
	KeyReportActionJoined    Key = "report.action_joined"
	KeyReportActionTaken     Key = "report.action_taken"
	KeyReportActionEscalated Key = "report.action_escalated"
	KeyReportActionHandled   Key = "report.action_handled"

	// A report as officers read it. KeyReportHeader: number, kind.
	KeyReportHeader Key = "report.header"
	// KeyReportEscalatedFrom heads an escalated report: unit it came from, note.
	KeyReportEscalatedFrom Key = "report.escalated_from"
	KeyReportUnitLine      Key = "report.unit_line"      // unit name
	KeyReportStateLine     Key = "report.state_line"     // state
	KeyReportReporterLine  Key = "report.reporter_line"  // name, date
	KeyReportReportersLine Key = "report.reporters_line" // how many people
	KeyReportLinkLine      Key = "report.link_line"      // link (HTML)
	KeyReportForwardLine   Key = "report.forward_line"   // origin (HTML)
	KeyReportLocationLine  Key = "report.location_line"  // map link (HTML)
	KeyReportMediaLine     Key = "report.media_line"     // how many files
	KeyReportMap           Key = "report.map"            // the map link's text
	KeyReportHistoryHeader Key = "report.history_header"
	// KeyReportHistoryLine: date and time, action, unit name, note (HTML, may be "").
	KeyReportHistoryLine Key = "report.history_line"
	KeyReportNote        Key = "report.note" // note

	// Buttons (plain).
	KeyReportButtonTake     Key = "report.button_take"
	KeyReportButtonEscalate Key = "report.button_escalate"
	KeyReportButtonHandled  Key = "report.button_handled"
	KeyReportButtonSameLink Key = "report.button_same_link"
	KeyReportButtonBulletin Key = "report.button_bulletin"

	// What officers are told when they act.
	KeyReportTaken         Key = "report.taken"           // toast: number
	KeyReportAskNoteUp     Key = "report.ask_note_up"     // number, unit above
	KeyReportAskNoteDone   Key = "report.ask_note_done"   // number
	KeyReportEscalated     Key = "report.escalated"       // number, unit above
	KeyReportHandled       Key = "report.handled"         // number
	KeyReportNoUnitAbove   Key = "report.no_unit_above"   // number
	KeyReportMovedOn       Key = "report.moved_on"        // toast
	KeyReportNoteTooLong   Key = "report.note_too_long"   // limit
	KeyReportNotFound      Key = "report.not_found"       // number
	KeyReportNotFoundToast Key = "report.not_found_toast" // toast
	KeyReportBulletinText  Key = "report.bulletin_text"   // report text (HTML)

	// What the reporter is told of their report.
	KeyReportToReporterTaken     Key = "report.to_reporter_taken"     // number, unit
	KeyReportToReporterEscalated Key = "report.to_reporter_escalated" // number, unit above
	KeyReportToReporterHandled   Key = "report.to_reporter_handled"   // number, note

	// /baocao for an officer, and the same link.
	KeyReportListHeader    Key = "report.list_header"    // how many
	KeyReportListKind      Key = "report.list_kind"      // kind
	KeyReportListLine      Key = "report.list_line"      // number, date, unit, excerpt, reporters suffix (HTML)
	KeyReportListReporters Key = "report.list_reporters" // how many
	KeyReportListEmpty     Key = "report.list_empty"
	KeyReportListFooter    Key = "report.list_footer"
	KeyReportSameLinkHead  Key = "report.same_link_head" // link (HTML), cases, people

	// The Monday digest's section, to officers: from, to dates.
	KeyReportDigestTitle  Key = "report.digest_title"
	KeyReportDigestByKind Key = "report.digest_by_kind"
	KeyReportDigestByUnit Key = "report.digest_by_unit"
	KeyReportDigestCount  Key = "report.digest_count" // name, count
	KeyReportDigestStale  Key = "report.digest_stale" // days

	// Headings of the export's columns (plain).
	KeyExportNumber    Key = "export.number"
	KeyExportDate      Key = "export.date"
	KeyExportUnit      Key = "export.unit"
	KeyExportState     Key = "export.state"
	KeyExportReporters Key = "export.reporters"
	KeyExportCount     Key = "export.count"
	KeyExportText      Key = "export.text"
	KeyExportLink      Key = "export.link"
	KeyExportClosed    Key = "export.closed"
	KeyExportTask      Key = "export.task"
	KeyExportDue       Key = "export.due"
	KeyExportLead      Key = "export.lead"
)
