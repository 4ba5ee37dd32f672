package messages

func init() {
	moreSampleArgs = append(moreSampleArgs, func(lang Lang) map[Key][]any {
		return map[Key][]any{
			KeyBroadcastPreview:    {Count(1240), "Dân quân phường Trà Cổ, Dân quân phường Hải Xuân", HTML("Họp giao ban lúc <b>7h30</b> &amp; điểm danh.")},
			KeyBroadcastNobody:     {"Dân quân phường Trà Cổ"},
			KeyBroadcastStarted:    {42, Count(1240)},
			KeyBroadcastTooLong:    {Count(3500)},
			KeyBroadcastsLine:      {42, "18/11/2021 16:44", HTML("<i>" + T(lang, KeyStateSending) + "</i>"), Count(1240), Count(4500), Count(12), Count(3), "Họp giao ban lúc 7h30…"},
			KeyBroadcastCancelled:  {42, Count(3260)},
			KeyBroadcastUnknown:    {"42"},
			KeyBroadcastPreviewAt:  {"07:00 15/12/2026"},
			KeyBroadcastsScheduled: {"07:00 15/12/2026"},
			KeyEditTooLong:         {Count(4096)},
			KeyEditReport:          {42, Count(1238), Count(1240)},
			KeyRecallReport:        {42, Count(1238), Count(1240)},
		}
	})
	toastKeys = append(toastKeys, KeyBroadcastNoLongerAllowed, KeyBroadcastNotYours, KeyBroadcastSendButton, KeyBroadcastCancelButton)
}
