package messages

func init() {
	moreSampleArgs = append(moreSampleArgs, func(lang Lang) map[Key][]any {
		return map[Key][]any{
			KeyBulletinAttached:     {HTML(T(lang, KeyMediaDocument) + " «Kế hoạch diễn tập.pdf»")},
			KeyBulletinAlbum:        {Count(4)},
			KeyBulletinCaptionSplit: {Count(1024)},
			KeyAnswerRecorded:       {"Có mặt"},
			KeyAnswerChanged:        {"Vắng mặt", "Có mặt"},
			KeyAnswerSame:           {"Có mặt"},
			KeyAnswersHeader:        {"98", "200"},
			KeyAnswersUnitLine:      {"Dân quân phường Trà Cổ", "12", "40", "70", HTML("Có mặt 35 · Vắng mặt 3 · Đến muộn 2")},
			KeyAnswersCount:         {"Có mặt", "35"},
			KeyUnansweredHeader:     {42, 102},
			KeyUnansweredUnit:       {"Dân quân phường Trà Cổ", "Lê Văn Nam, Trần Thị Lan"},
			KeyUnansweredNone:       {42},
			KeyUnansweredNoAnswers:  {42},
			KeyBulletinReminder:     {42},
			KeyRemindStarted:        {95, 5, 2},
			KeyPinRefused:           {3},
			KeyOptRemindButton:      {"30 phút"},
			KeyOptMinutes:           {30},
			KeyOptHours:             {2},
			KeyOptAtToday:           {"19:00"},
			KeyOptAtTomorrow:        {"07:00"},
			KeyPreviewAnswers:       {"Có mặt | Vắng mặt | Đến muộn"},
			KeyPreviewRemind:        {"30 phút"},
			KeyBroadcastBadAnswers:  {4},
			KeyEditStarted:          {42},
			KeyRecallStarted:        {42},
		}
	})
	toastKeys = append(toastKeys, KeyMediaPhoto, KeyMediaDocument, KeyMediaVideo, KeyMediaAudio, KeyMediaVoice,
		KeyAnswerConfirm, KeyAnswerNotYours,
		KeyAnswersListButton, KeyAnswersRemindButton, KeyOptUrgentButton, KeyOptConfirmButton, KeyOptAtButton,
		KeyOptPinButton, KeyOptRemindOff, KeyOptAtNow, KeyOptBack)
}
