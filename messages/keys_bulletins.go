package messages

// Bulletins with files, albums and answers: what the preview adds, and
// the kinds of file as people call them.
const (
	// KeyBulletinAttached heads the preview of a bulletin with one file.
	// Argument: what the file is (HTML: a KeyMedia* word and its name).
	KeyBulletinAttached Key = "bulletin.attached"
	// KeyBulletinAlbum heads the preview of a bulletin with an album.
	// Argument: number of files (int).
	KeyBulletinAlbum Key = "bulletin.album"
	// KeyBulletinCaptionSplit: the text is longer than a caption may be,
	// so the file goes first and the text as its own message. Argument:
	// the caption limit (int).
	KeyBulletinCaptionSplit Key = "bulletin.caption_split"
	// The kinds of file (plain words, lower case).
	KeyMediaPhoto    Key = "media.photo"
	KeyMediaDocument Key = "media.document"
	KeyMediaVideo    Key = "media.video"
	KeyMediaAudio    Key = "media.audio"
	KeyMediaVoice    Key = "media.voice"
)
