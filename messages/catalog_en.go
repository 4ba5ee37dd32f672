package messages

// catalogEN is the English catalogue. It has the same keys as catalogVI, with
// the same fmt verbs in the same order (a test checks both).
var catalogEN = map[Key]string{
	// Greetings.
	KeyStartGreeting: "Hello, %s!\n\n" +
		"<b>Loa</b> brings officials and militia, unit by unit, the bulletins, new articles, " +
		"announcements and reminders of the joint work programme of the City Party Committee's " +
		"Propaganda Department and the City Military Command.\n\n" +
		"To join your unit, open the invite link your unit officer sends you, " +
		"or send /units to see the units and then /join &lt;unit code&gt;.",
	KeyAddedToGroup: "Hello, everyone in %s!\n\n" +
		"<b>Loa</b> brings officials and militia, unit by unit, the bulletins, new articles, " +
		"announcements and reminders of the joint work programme. Send /help to see the commands you can use here.",

	// Help.
	KeyHelpHeader: "Commands you can use:",
	KeyHelpLine:   "/%s — %s",
	KeyHelpFooter: "Tap a command to use it. For help, contact your unit officer.",

	// Command descriptions.
	KeyCmdStart:       "About Loa and how to join a unit",
	KeyCmdHelp:        "Show the commands you can use",
	KeyCmdMe:          "Show your details and your units",
	KeyCmdUnits:       "Show the list of units",
	KeyCmdJoin:        "Join a unit by its code",
	KeyCmdSubscribe:   "Follow a unit to receive its bulletins and articles",
	KeyCmdUnsubscribe: "Stop following a unit",
	KeyCmdLatest:      "Show the latest articles",
	KeyCmdTasks:       "Show tasks due soon; add overdue, week or all",
	KeyCmdInvite:      "Create an invite link to a unit (member or officer)",
	KeyCmdMembers:     "Show the members of a unit",
	KeyCmdPromote:     "Make someone a unit officer (or a Loa admin: admin)",
	KeyCmdDemote:      "Remove a unit officer's role (or a Loa admin's: admin)",
	KeyCmdBroadcast:   "Send an announcement to units, or all; with a file or photo; ask each person: ? Present | Absent ?",

	// Guidance.
	KeyUnknownCommand: "Unknown command /%s. Send /help to see the commands.",
	KeyPlainTextHint:  "Loa works through commands. Send /help to see the ones you can use.",

	// Toasts (plain text).
	KeyApologyShort:  "Sorry, something went wrong on our side. Please try again later.",
	KeyButtonExpired: "This button no longer works. Please send the command again.",

	// Refusals and errors.
	KeyApology:     "Sorry, something went wrong on our side. It has been recorded; please try again later.",
	KeyNotAllowed:  "You are not allowed to use this command.",
	KeyArgsTooLong: "That is too long: at most %d characters.",
	KeyArgsInvalid: "That is not quite right. Usage: %s",
	KeyPrivateOnly: "/%s works only in a private chat with Loa.",
	KeyGroupOnly:   "/%s works only in a unit's group chat.",
	KeySlowDown:    "You have sent too many commands. Please try again in %d seconds.",
}
