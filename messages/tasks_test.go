package messages

import "time"

// due is the sample due date of the task keys, a Friday.
var due = time.Date(2021, 12, 10, 0, 0, 0, 0, time.UTC)

func init() {
	moreSampleArgs = append(moreSampleArgs, func(lang Lang) map[Key][]any {
		return map[Key][]any{
			KeyTasksTitleUnit:        {"Dân quân phường Trà Cổ"},
			KeyTasksTitleDigest:      {"Ban Tuyên giáo Thành ủy"},
			KeyTasksHeader:           {HTML(T(lang, KeyTasksTitleMine)), DayDate(lang, time.Date(2021, 11, 18, 0, 0, 0, 0, time.UTC), time.UTC)},
			KeyTasksCounts:           {9, 2, 1, 3},
			KeyTasksUpcomingHeader:   {14},
			KeyTasksLine:             {12, "Phòng chống COVID-19", "Ban Chỉ huy Quân sự thành phố", DayDate(lang, due, time.UTC), HTML(" " + T(lang, KeyTasksLineMoreOverdue, 2))},
			KeyTasksLineMoreOverdue:  {2},
			KeyTasksLinePercent:      {40},
			KeyTasksMore:             {3},
			KeyTaskTitle:             {12, "Phối hợp phòng, chống dịch bệnh COVID-19 <i>"},
			KeyTaskAgreement:         {"Chương trình phối hợp công tác giai đoạn 2021–2025"},
			KeyTaskDescription:       {"Báo cáo kết quả & đề xuất."},
			KeyTaskLead:              {HTML("Ban Chỉ huy Quân sự thành phố")},
			KeyTaskSupport:           {HTML("Ban Tuyên giáo Thành ủy, Dân quân phường Trà Cổ")},
			KeyTaskSchedule:          {HTML(T(lang, KeyRecMonthly, 10)), "18/11/2021", "31/12/2022"},
			KeyRecOnce:               {"30/12/2021"},
			KeyRecMonthly:            {10},
			KeyRecQuarterly:          {20},
			KeyRecYearly:             {"22/12"},
			KeyRecDates:              {"15/04/2022, 15/10/2022"},
			KeyTaskOccurrencesHeader: {6, 14},
			KeyTaskOccurrenceLine:    {HTML("⏳"), DayDate(lang, due, time.UTC), HTML(T(lang, KeyStatusInProgress, 40))},
			KeyStatusInProgress:      {40},
			KeyTaskHistoryLine:       {"02/12/2021 08:15", "Vũ Văn Hùng", HTML(T(lang, KeyTaskActProgressPct, 40, "10/12/2021")), HTML(" " + T(lang, KeyTaskNote, "đã họp <b>"))},
			KeyTaskNote:              {"đã họp"},
			KeyTaskActDone:           {"10/12/2021"},
			KeyTaskActProgress:       {"10/12/2021"},
			KeyTaskActProgressPct:    {40, "10/12/2021"},
			KeyTaskActReopen:         {"10/12/2021"},
			KeyTaskNotFound:          {"99"},
			KeyTaskCannotUpdate:      {12},
			KeyTaskDoneAck:           {12, "Phòng chống COVID-19", DayDate(lang, due, time.UTC)},
			KeyTaskProgressAck:       {12, "Phòng chống COVID-19", DayDate(lang, due, time.UTC), 40},
			KeyTaskReopenAck:         {12, "Phòng chống COVID-19", DayDate(lang, due, time.UTC)},
			KeyTaskNothingToReopen:   {12, "Phòng chống COVID-19"},
			KeyTaskPercentInvalid:    {Code("/progress 12 50")},
			KeyReminderWeek:          {7},
			KeyReminderOverdue:       {3},
			KeyReminderBody:          {12, "Phối hợp phòng, chống dịch bệnh COVID-19", DayDate(lang, due, time.UTC), "Ban Chỉ huy Quân sự thành phố", HTML("Ban Tuyên giáo Thành ủy")},
			KeyReminderHowTo:         {12, 12, 12},
		}
	})
	toastKeys = append(toastKeys, KeyTaskButtonDone, KeyTaskButtonProgress, KeyTaskButtonOpen,
		KeyTaskDoneToast, KeyTaskProgressToast, KeyTaskNotFoundToast)
	allCommands = append(allCommands, Command{"task", KeyCmdTask}, Command{"done", KeyCmdDone},
		Command{"progress", KeyCmdProgress}, Command{"reopen", KeyCmdReopen})
}
