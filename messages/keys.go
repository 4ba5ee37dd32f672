package messages

// Key names one sentence of the catalogue. Handlers refer to sentences only by
// these constants, never by literal text, so that a sentence is written once
// per language and a test can prove every constant has an entry in every
// catalogue.
//
// To add a sentence: add a constant in the group of its feature (or a new group
// with a comment), add its text to catalog_vi.go and catalog_en.go with the same
// fmt verbs in the same order, give it sample arguments in sampleArgs
// (catalog_test.go) if it has verbs (and list a toast in toastKeys), and run
// `go test ./messages/ -update` to write its golden rendering.
type Key string

// Greetings: the answer to /start, and the bot's first words in a group.
const (
	// KeyStartGreeting greets the person and says what Loa is and how to join
	// a unit. Argument: the person's name (string).
	KeyStartGreeting Key = "start.greeting"
	// KeyAddedToGroup greets a group the bot has just been added to and says
	// what Loa is. Argument: the group's title (string).
	KeyAddedToGroup Key = "start.added_to_group"
)

// Help: the answer to /help is KeyHelpHeader, one KeyHelpLine per
// command the asker may use (handlers builds the list), then KeyHelpFooter.
const (
	// KeyHelpHeader is the first line of /help.
	KeyHelpHeader Key = "help.header"
	// KeyHelpLine is one line of /help. Arguments: the command name
	// without the slash (string) and its description, as Describe returns it
	// (string).
	KeyHelpLine Key = "help.line"
	// KeyHelpFooter is the last line of /help.
	KeyHelpFooter Key = "help.footer"
)

// Command descriptions: one short line each, plain text without HTML or
// arguments, shown in /help and sent to Telegram by setMyCommands (through
// Describe, which enforces Telegram's 256-character limit).
const (
	KeyCmdStart       Key = "cmd.start"
	KeyCmdHelp        Key = "cmd.help"
	KeyCmdMe          Key = "cmd.me"
	KeyCmdUnits       Key = "cmd.units"
	KeyCmdJoin        Key = "cmd.join"
	KeyCmdSubscribe   Key = "cmd.subscribe"
	KeyCmdUnsubscribe Key = "cmd.unsubscribe"
	KeyCmdLatest      Key = "cmd.latest"
	KeyCmdTasks       Key = "cmd.tasks"
	KeyCmdInvite      Key = "cmd.invite"
	KeyCmdMembers     Key = "cmd.members"
	KeyCmdPromote     Key = "cmd.promote"
	KeyCmdDemote      Key = "cmd.demote"
	KeyCmdBroadcast   Key = "cmd.broadcast"
)

// Guidance: what the bot says when a message is not something it can act on.
// (A command in a group addressed to another bot gets no answer at all, so it
// has no key.)
const (
	// KeyUnknownCommand answers a command the bot does not know. Argument:
	// the command name without the slash (string).
	KeyUnknownCommand Key = "guide.unknown_command"
	// KeyPlainTextHint answers plain text (not a command) in a private chat.
	KeyPlainTextHint Key = "guide.plain_text"
)

// Toasts: short notices shown over the chat when a person presses an inline
// button (answerCallbackQuery). Telegram shows them as plain text, without
// parsing HTML, and cuts them at 200 characters, so these entries hold no
// tags, no entities and no arguments (a test checks).
const (
	// KeyApologyShort is KeyApology as a toast, for a button press that failed
	// on our side.
	KeyApologyShort Key = "toast.apology"
	// KeyButtonExpired answers a press on a button that no longer does
	// anything (its message is old, or the data is no longer understood).
	KeyButtonExpired Key = "toast.button_expired"
)

// Refusals and errors shared by every feature.
const (
	// KeyApology apologises when something failed on our side (a
	// handler crashed, the database is down). It gives no details: those go to
	// the operator's log, never to the person.
	KeyApology Key = "error.apology"
	// KeyNotAllowed refuses a command the asker's role does not permit.
	KeyNotAllowed Key = "error.not_allowed"
	// KeyArgsTooLong refuses an argument over its limit. Argument: the
	// maximum number of characters (int).
	KeyArgsTooLong Key = "error.args_too_long"
	// KeyArgsInvalid refuses a missing or malformed argument and shows how
	// to use the command. Argument: the usage, already rendered (HTML, e.g.
	// Code("/join <mã đơn vị>")).
	KeyArgsInvalid Key = "error.args_invalid"
	// KeyPrivateOnly refuses, in a group, a command that works only in a
	// private chat. Argument: the command name without the slash (string).
	KeyPrivateOnly Key = "error.private_only"
	// KeyGroupOnly refuses, in a private chat, a command that works only in a
	// unit's group chat. Argument: the command name without the slash (string).
	KeyGroupOnly Key = "error.group_only"
	// KeySlowDown answers, once, the first command over a person's flood
	// limit; the ones after it get no answer at all. Argument: seconds until
	// the limit resets (int).
	KeySlowDown Key = "error.slow_down"
)
