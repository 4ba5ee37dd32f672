package messages

func init() {
	moreSampleArgs = append(moreSampleArgs, func(lang Lang) map[Key][]any {
		return map[Key][]any{
			KeyBroadcastPreview:   {1240, "dq-tra-co, dq-hai-xuan", HTML("Họp giao ban lúc <b>7h30</b> &amp; điểm danh.")},
			KeyBroadcastNobody:    {"dq-tra-co"},
			KeyBroadcastStarted:   {42, 1240},
			KeyBroadcastTooLong:   {3500},
			KeyBroadcastsLine:     {42, "18/11/2021 16:44", HTML("<i>sending</i>"), 1240, 4500, 12, 3, "Họp giao ban lúc 7h30…"},
			KeyBroadcastCancelled: {42, 3260},
			KeyBroadcastUnknown:   {"42"},
		}
	})
	toastKeys = append(toastKeys, KeyBroadcastNoLongerAllowed, KeyBroadcastNotYours, KeyBroadcastSendButton, KeyBroadcastCancelButton)
}
