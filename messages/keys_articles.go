package messages

// Articles and sources: the card pushed for a new article, /latest,
// /article, /search, /sources, /addsource, /removesource, and the admins'
// alerts about failing feeds. Titles, summaries and source names come from
// feeds and arrive as strings (escaped); links and lists as HTML.
const (
	// KeyArticleCard is the card of one article. Arguments: title, date and
	// time (dd/mm/yyyy hh:mm), source name, summary, link (HTML).
	KeyArticleCard Key = "articles.card"
	// KeyArticleReadMore is the text of the card's link.
	KeyArticleReadMore Key = "articles.read_more"
	// KeyLatestHeader heads /latest. Argument: how many (int).
	KeyLatestHeader Key = "articles.latest_header"
	// KeyLatestHeaderUnit heads /latest for one unit. Arguments: how many (int), unit name, unit code.
	KeyLatestHeaderUnit Key = "articles.latest_header_unit"
	// KeyLatestItem is one article in a list. Arguments: id (int), title, date, source name, summary.
	KeyLatestItem Key = "articles.latest_item"
	// KeyLatestEmpty: nothing to show.
	KeyLatestEmpty Key = "articles.latest_empty"
	// KeyLatestUsage: bad arguments to /latest. Argument: the most articles (int).
	KeyLatestUsage Key = "articles.latest_usage"
	// KeyLatestMore is the "More" button (plain text).
	KeyLatestMore Key = "articles.latest_more"
	// KeyArticleFull shows one article. Arguments: title, date, source name, text, link (HTML).
	KeyArticleFull Key = "articles.full"
	// KeyArticleUsage: /article without a number.
	KeyArticleUsage Key = "articles.article_usage"
	// KeyArticleNotFound: no such article, or not one the asker may see. Argument: id (int).
	KeyArticleNotFound Key = "articles.not_found"
	// KeySearchHeader heads /search results. Arguments: count (int), what was searched (string).
	KeySearchHeader Key = "articles.search_header"
	// KeySearchHeaderTop heads /search results when more matched than are
	// shown. Arguments: how many matched in all (string, from Number), what
	// was searched (string), how many are shown, the best first (int).
	KeySearchHeaderTop Key = "articles.search_header_top"
	// KeySearchEmpty: nothing found. Argument: what was searched.
	KeySearchEmpty Key = "articles.search_empty"
	// KeySearchUsage: /search without words.
	KeySearchUsage Key = "articles.search_usage"

	// KeySourcesHeader heads /sources.
	KeySourcesHeader Key = "sources.header"
	// KeySourcesLine is one source. Arguments: id (int), name, url, unit names, state (HTML).
	KeySourcesLine Key = "sources.line"
	// KeySourceOK / KeySourceFailing describe a source's state; failing: failures (Count), the reason in words (FeedReason).
	KeySourceOK      Key = "sources.ok"
	KeySourceFailing Key = "sources.failing"
	// KeySourcesEmpty: no source yet.
	KeySourcesEmpty Key = "sources.empty"
	// KeyAddSourceUsage: bad arguments to /addsource.
	KeyAddSourceUsage Key = "sources.add_usage"
	// KeySourceAdded. Arguments: id (int), feed title, items (Count), unit names.
	KeySourceAdded Key = "sources.added"
	// KeySourceExists. Argument: url.
	KeySourceExists Key = "sources.exists"
	// KeySourceUnreachable, KeySourceTimeout, KeySourceTooBig, KeySourceNotFeed, KeySourceBadURL:
	// why a feed cannot be added. Argument: url.
	KeySourceUnreachable Key = "sources.unreachable"
	KeySourceTimeout     Key = "sources.timeout"
	KeySourceTooBig      Key = "sources.too_big"
	KeySourceNotFeed     Key = "sources.not_feed"
	KeySourceBadURL      Key = "sources.bad_url"
	// KeySourceInternal: the feed is on an internal address (loopback,
	// private network, …) and its host is not in LOA_FEED_ALLOW_HOSTS.
	// Argument: url.
	KeySourceInternal Key = "sources.internal"
	// KeyRemoveSourceUsage: /removesource without an id.
	KeyRemoveSourceUsage Key = "sources.remove_usage"
	// KeySourceRemoved. Arguments: id (int), name.
	KeySourceRemoved Key = "sources.removed"
	// KeySourceNotFound. Argument: id (int).
	KeySourceNotFound Key = "sources.not_found"
	// KeySourceAlertFailing tells admins a feed keeps failing. Arguments: name, url, failures (int), the reason in words (FeedReason).
	KeySourceAlertFailing Key = "sources.alert_failing"
	// KeySourceAlertRecovered tells admins it works again. Arguments: name, url.
	KeySourceAlertRecovered Key = "sources.alert_recovered"

	// Command descriptions.
	KeyCmdArticle      Key = "cmd.article"
	KeyCmdSearch       Key = "cmd.search"
	KeyCmdSources      Key = "cmd.sources"
	KeyCmdAddSource    Key = "cmd.addsource"
	KeyCmdRemoveSource Key = "cmd.removesource"
)
