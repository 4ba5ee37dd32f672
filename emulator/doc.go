// Package emulator is an in-process emulator of the Telegram Bot API for
// tests, benchmarks and the demo.
//
// A Server listens on 127.0.0.1 and answers the Bot API methods Loa uses
// (getMe, getUpdates, webhooks, sendMessage, editMessageText,
// editMessageReplyMarkup, deleteMessage, answerCallbackQuery, the command
// menu and the chat queries) the way api.telegram.org does: same JSON shapes, same HTTP status
// codes, same error descriptions. Its purpose is to make a test fail where
// Telegram would fail the bot, so it is strict:
//
//   - HTML parse mode is parsed with the algorithm of Telegram's own server
//     (tdlib), byte offsets and error wordings included, and by default is
//     stricter still where Telegram silently accepts text that is almost
//     always a bug (an unescaped "&", unknown attributes, <a> without href,
//     empty button text); see WithTelegramLeniency.
//   - Text is cleaned, trimmed and measured in UTF-16 code units as Telegram
//     does; more than 4096 units is "message is too long".
//   - Rate limits (off by default, see Limits) answer 429 with retry_after.
//   - Chats must be known, blocked users answer 403, migrated groups answer
//     400 with migrate_to_chat_id, callback queries can be answered once.
//
// A test plays the people: it injects updates (SendText, PressButton,
// BotAdded, ...) that the bot receives through getUpdates or a routed
// webhook, and it reads back what the bot did (Messages, WaitMessages,
// CallbackAnswers, Errors).
//
// Nothing is logged per request and sent messages are stored compactly, so
// a benchmark can push tens of thousands of messages per second through it.
package emulator
