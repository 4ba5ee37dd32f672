package messages

func init() {
	extend(Vietnamese, map[Key]string{
		KeyBulletinAttached:     "📎 <b>Kèm theo</b>: %s.",
		KeyBulletinAlbum:        "🖼 <b>Kèm theo</b>: album %d tệp, gửi cùng nhau.",
		KeyBulletinCaptionSplit: "<i>Nội dung dài hơn %d ký tự nên tệp được gửi trước, nội dung gửi ngay sau thành tin riêng.</i>",
		KeyMediaPhoto:           "ảnh",
		KeyMediaDocument:        "tệp",
		KeyMediaVideo:           "video",
		KeyMediaAudio:           "bản ghi âm",
		KeyMediaVoice:           "tin nhắn thoại",
	})
	extend(English, map[Key]string{
		KeyBulletinAttached:     "📎 <b>Attached</b>: %s.",
		KeyBulletinAlbum:        "🖼 <b>Attached</b>: an album of %d files, sent together.",
		KeyBulletinCaptionSplit: "<i>The text is longer than %d characters, so the file goes first and the text follows as its own message.</i>",
		KeyMediaPhoto:           "photo",
		KeyMediaDocument:        "file",
		KeyMediaVideo:           "video",
		KeyMediaAudio:           "audio recording",
		KeyMediaVoice:           "voice message",
	})
}
