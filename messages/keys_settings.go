package messages

// Settings of a chat (issue 14): /caidat (/settings), the daily digest of
// articles and the notice that a forum topic is gone.
const (
	// KeyCmdSettings describes /caidat.
	KeyCmdSettings Key = "settings.cmd"
	// KeySettingsHeader heads /caidat. Argument: the chat's title.
	KeySettingsHeader Key = "settings.header"
	// KeySettingsQuietOn: quiet hours. Argument: "22:00–06:00".
	KeySettingsQuietOn Key = "settings.quiet_on"
	// KeySettingsQuietOff: no quiet hours.
	KeySettingsQuietOff Key = "settings.quiet_off"
	// KeySettingsArticlesNow: articles as they come.
	KeySettingsArticlesNow Key = "settings.articles_now"
	// KeySettingsArticlesDigest: a daily digest. Argument: its time "18:00".
	KeySettingsArticlesDigest Key = "settings.articles_digest"
	// KeySettingsOnly: only articles with any of these keywords. Argument: the list.
	KeySettingsOnly Key = "settings.only"
	// KeySettingsOnlyAll: no "only" filter.
	KeySettingsOnlyAll Key = "settings.only_all"
	// KeySettingsNone: never articles with these keywords. Argument: the list.
	KeySettingsNone Key = "settings.none"
	// KeySettingsMuted: muted sources. Argument: the list of names.
	KeySettingsMuted Key = "settings.muted"
	// KeySettingsTopics: forum topics. Argument: the list ("unit → topic 12").
	KeySettingsTopics Key = "settings.topics"
	// KeySettingsTopicLine is one route. Arguments: what (unit name or kind), topic number (int).
	KeySettingsTopicLine Key = "settings.topic_line"
	// KeySettingsBulletinsNote says bulletins are never filtered.
	KeySettingsBulletinsNote Key = "settings.bulletins_note"
	// KeySettingsUsage lists how to change each setting by command.
	KeySettingsUsage Key = "settings.usage"
	// KeySettingsGroupAdminOnly: a group's settings are changed by its admins only.
	KeySettingsGroupAdminOnly Key = "settings.group_admin_only"
	// KeySettingsBadQuiet: hours not understood.
	KeySettingsBadQuiet Key = "settings.bad_quiet"
	// KeySettingsBadTime: a time not understood.
	KeySettingsBadTime Key = "settings.bad_time"
	// KeySettingsTooMany: too many keywords. Argument: the most (int).
	KeySettingsTooMany Key = "settings.too_many"
	// KeySettingsSaved confirms a change (a toast, plain text).
	KeySettingsSaved Key = "settings.saved"
	// KeySettingsPreview: how many of last week's articles pass. Arguments: passed (int), total (int).
	KeySettingsPreview Key = "settings.preview"
	// KeySettingsNoSource: no source with that number reaches this chat. Argument: number (int).
	KeySettingsNoSource Key = "settings.no_source"
	// KeySettingsTopicNotForum: /caidat chu-de outside a forum topic.
	KeySettingsTopicNotForum Key = "settings.topic_not_forum"
	// KeySettingsTopicUsage: how to route to a topic.
	KeySettingsTopicUsage Key = "settings.topic_usage"
	// KeySettingsTopicSet: a route was set. Arguments: what (unit name or kind), topic number (int).
	KeySettingsTopicSet Key = "settings.topic_set"
	// KeySettingsKindArticles, …Bulletins, …Reminders name the kinds of message.
	KeySettingsKindArticles  Key = "settings.kind_articles"
	KeySettingsKindBulletins Key = "settings.kind_bulletins"
	KeySettingsKindReminders Key = "settings.kind_reminders"
	// Buttons (plain text).
	KeySettingsBtnQuietOff   Key = "settings.btn_quiet_off"
	KeySettingsBtnQuietOn    Key = "settings.btn_quiet_on"   // Argument: "22:00–06:00"
	KeySettingsBtnDigestOn   Key = "settings.btn_digest_on"  // Argument: "18:00"
	KeySettingsBtnDigestOff  Key = "settings.btn_digest_off" //
	KeySettingsBtnFiltersOff Key = "settings.btn_filters_off"
	KeySettingsBtnMute       Key = "settings.btn_mute"   // Argument: source name
	KeySettingsBtnUnmute     Key = "settings.btn_unmute" // Argument: source name

	// KeyDigestHeader heads a digest. Arguments: date, how many articles (int).
	KeyDigestHeader Key = "digest.header"
	// KeyDigestSource names a source in a digest. Argument: its name.
	KeyDigestSource Key = "digest.source"
	// KeyDigestItemLink is one article. Arguments: title as a link (HTML), one-line summary.
	KeyDigestItemLink Key = "digest.item_link"
	// KeyDigestItem is one article without a link. Arguments: title, one-line summary.
	KeyDigestItem Key = "digest.item"
	// KeyDigestMore: articles not listed. Argument: how many (int).
	KeyDigestMore Key = "digest.more"

	// KeyTopicGone tells a group's admins a topic Loa sent to is gone. Argument: topic number (int).
	KeyTopicGone Key = "settings.topic_gone"
)
