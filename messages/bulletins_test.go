package messages

func init() {
	moreSampleArgs = append(moreSampleArgs, func(lang Lang) map[Key][]any {
		return map[Key][]any{
			KeyBulletinAttached:     {HTML(T(lang, KeyMediaDocument) + " «Kế hoạch diễn tập.pdf»")},
			KeyBulletinAlbum:        {Count(4)},
			KeyBulletinCaptionSplit: {Count(1024)},
		}
	})
	toastKeys = append(toastKeys, KeyMediaPhoto, KeyMediaDocument, KeyMediaVideo, KeyMediaAudio, KeyMediaVoice)
}
