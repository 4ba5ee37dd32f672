package messages

// The keyword arguments of /caidat.
const (
	ArgQuiet     Arg = "quiet"     // /caidat yen-lang 22:00-06:00 | tat
	ArgDigest    Arg = "digest"    // /caidat tom-tat 18:00 | tat
	ArgOnly      Arg = "only"      // /caidat chi an ninh, bien gioi
	ArgExcept    Arg = "except"    // /caidat tru quang cao
	ArgMute      Arg = "mute"      // /caidat tat-nguon 3
	ArgUnmute    Arg = "unmute"    // /caidat bat-nguon 3
	ArgTopic     Arg = "topic"     // /caidat chu-de <unit code> | bai-viet | ban-tin | nhac-viec
	ArgOff       Arg = "off"       // tat
	ArgArticles  Arg = "articles"  // bai-viet
	ArgBulletins Arg = "bulletins" // ban-tin
	ArgReminders Arg = "reminders" // nhac-viec
)

func init() {
	for a, forms := range map[Arg][]string{
		ArgQuiet:     {"quiet", "yen-lang", "gio-yen-lang"},
		ArgDigest:    {"digest", "tom-tat", "tong-hop"},
		ArgOnly:      {"only", "chi"},
		ArgExcept:    {"except", "none", "tru", "bo"},
		ArgMute:      {"mute", "tat-nguon"},
		ArgUnmute:    {"unmute", "bat-nguon"},
		ArgTopic:     {"topic", "chu-de"},
		ArgOff:       {"off", "tat", "khong"},
		ArgArticles:  {"articles", "bai-viet"},
		ArgBulletins: {"bulletins", "ban-tin", "thong-bao"},
		ArgReminders: {"reminders", "nhac-viec"},
	} {
		argForms[a] = forms
	}
}
