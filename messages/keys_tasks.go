package messages

// The coordination agreement's tasks: /tasks, /task, /done, /progress,
// /reopen, the reminder buttons, reminders and the Monday digest. Task
// titles and unit names arrive as strings (escaped); dates as strings
// already formatted by Date; ready-made fragments as HTML.
const (
	KeyCmdTask     Key = "cmd.task"
	KeyCmdDone     Key = "cmd.done"
	KeyCmdProgress Key = "cmd.progress"
	KeyCmdReopen   Key = "cmd.reopen"

	// Titles of an overview (plain words, inserted into KeyTasksHeader).
	KeyTasksTitleMine    Key = "tasks.title_mine"
	KeyTasksTitleAll     Key = "tasks.title_all"
	KeyTasksTitleOverdue Key = "tasks.title_overdue"
	KeyTasksTitleWeek    Key = "tasks.title_week"
	// KeyTasksTitleUnit. Argument: unit name.
	KeyTasksTitleUnit Key = "tasks.title_unit"
	// KeyTasksTitleDigest heads the Monday digest. Argument: unit name.
	KeyTasksTitleDigest Key = "tasks.title_digest"
	// KeyTasksHeader. Arguments: a title above (HTML), today's date.
	KeyTasksHeader Key = "tasks.header"
	// KeyTasksCounts. Arguments: not started, in progress, done, overdue (ints).
	KeyTasksCounts Key = "tasks.counts"
	// KeyTasksOverdueHeader heads the overdue lines.
	KeyTasksOverdueHeader Key = "tasks.overdue_header"
	// KeyTasksUpcomingHeader. Argument: the number of days ahead.
	KeyTasksUpcomingHeader Key = "tasks.upcoming_header"
	// KeyTasksLine is one task. Arguments: id, short title, lead unit name,
	// due date with its weekday (DayDate), extra (HTML: KeyTasksLineMoreOverdue, KeyTasksLinePercent or "").
	KeyTasksLine Key = "tasks.line"
	// KeyTasksLineMoreOverdue. Argument: how many more occurrences are overdue.
	KeyTasksLineMoreOverdue Key = "tasks.line_more_overdue"
	// KeyTasksLinePercent. Argument: percent done.
	KeyTasksLinePercent Key = "tasks.line_percent"
	// KeyTasksMore: lines left out to keep one screen. Argument: how many.
	KeyTasksMore Key = "tasks.more"
	// KeyTasksNoneDue: nothing overdue, nothing due soon.
	KeyTasksNoneDue Key = "tasks.none_due"
	// KeyTasksEmpty: the asker's units have no tasks.
	KeyTasksEmpty Key = "tasks.empty"
	// KeyTasksFooter says how to go further.
	KeyTasksFooter Key = "tasks.footer"

	// KeyTaskTitle. Arguments: id, title.
	KeyTaskTitle Key = "task.title"
	// KeyTaskAgreement. Argument: the agreement's title.
	KeyTaskAgreement Key = "task.agreement"
	// KeyTaskDescription. Argument: the description.
	KeyTaskDescription Key = "task.description"
	// KeyTaskLead and KeyTaskSupport. Argument: unit names (HTML list).
	KeyTaskLead    Key = "task.lead"
	KeyTaskSupport Key = "task.support"
	// KeyTaskSchedule. Arguments: the recurrence (HTML), first day, last day.
	KeyTaskSchedule Key = "task.schedule"
	// Recurrences. KeyRecOnce: date; KeyRecMonthly, KeyRecQuarterly: day
	// (int); KeyRecYearly: dd/mm; KeyRecDates: the dates, joined.
	KeyRecOnce        Key = "task.rec_once"
	KeyRecMonthly     Key = "task.rec_monthly"
	KeyRecMonthlyLast Key = "task.rec_monthly_last"
	KeyRecQuarterly   Key = "task.rec_quarterly"
	KeyRecYearly      Key = "task.rec_yearly"
	KeyRecDates       Key = "task.rec_dates"
	// KeyTaskOccurrencesHeader heads the occurrences. Arguments: shown, total.
	KeyTaskOccurrencesHeader Key = "task.occurrences_header"
	// KeyTaskOccurrenceLine. Arguments: mark (HTML), date, status (HTML).
	KeyTaskOccurrenceLine Key = "task.occurrence_line"
	// Statuses. KeyStatusInProgress: percent (int).
	KeyStatusNotStarted Key = "task.status_not_started"
	KeyStatusInProgress Key = "task.status_in_progress"
	KeyStatusDone       Key = "task.status_done"
	KeyStatusOverdue    Key = "task.status_overdue"
	// KeyTaskHistoryHeader heads the history.
	KeyTaskHistoryHeader Key = "task.history_header"
	// KeyTaskHistoryLine. Arguments: date and time, who, what (HTML), note (HTML or "").
	KeyTaskHistoryLine Key = "task.history_line"
	// KeyTaskNote. Argument: the note.
	KeyTaskNote Key = "task.note"
	// KeyTaskNoHistory: nobody reported yet.
	KeyTaskNoHistory Key = "task.no_history"
	// History actions. Argument: the occurrence's date (KeyTaskActProgressPct: percent first).
	KeyTaskActDone        Key = "task.act_done"
	KeyTaskActProgress    Key = "task.act_progress"
	KeyTaskActProgressPct Key = "task.act_progress_pct"
	KeyTaskActReopen      Key = "task.act_reopen"

	// KeyTaskNotFound: no such task, or one the asker may not see (the same
	// answer, so a stranger learns nothing). Argument: the id typed.
	KeyTaskNotFound Key = "task.not_found"
	// KeyTaskCannotUpdate: a member, not an officer. Argument: task id.
	KeyTaskCannotUpdate Key = "task.cannot_update"
	// Acknowledgements. Arguments: id, short title, date (and percent).
	KeyTaskDoneAck     Key = "task.done_ack"
	KeyTaskProgressAck Key = "task.progress_ack"
	KeyTaskReopenAck   Key = "task.reopen_ack"
	// KeyTaskNothingToReopen. Arguments: id, short title.
	KeyTaskNothingToReopen Key = "task.nothing_to_reopen"
	// KeyTaskPercentInvalid. Argument: an example (HTML).
	KeyTaskPercentInvalid Key = "task.percent_invalid"

	// Buttons under reminders and /task (plain text).
	KeyTaskButtonDone     Key = "task.button_done"
	KeyTaskButtonProgress Key = "task.button_progress"
	KeyTaskButtonOpen     Key = "task.button_open"
	// Toasts after a button (plain text).
	KeyTaskDoneToast     Key = "task.done_toast"
	KeyTaskProgressToast Key = "task.progress_toast"
	KeyTaskNotFoundToast Key = "task.not_found_toast"

	// Reminders: first line. KeyReminderWeek: days left; KeyReminderOverdue: days late.
	KeyReminderWeek     Key = "reminder.week"
	KeyReminderTomorrow Key = "reminder.tomorrow"
	KeyReminderToday    Key = "reminder.today"
	KeyReminderOverdue  Key = "reminder.overdue"
	// KeyReminderBody. Arguments: id, title, date, lead unit name, supporting units (HTML, may be a dash).
	KeyReminderBody Key = "reminder.body"
	// KeyReminderHowTo. Arguments: the task id three times.
	KeyReminderHowTo Key = "reminder.how_to"
)
