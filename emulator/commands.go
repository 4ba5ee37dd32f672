package emulator

import (
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf8"
)

type commandKey struct {
	scope CommandScope
	lang  string
}

// Commands returns every command list set with setMyCommands, one per
// scope and language, sorted by scope type, chat, user and language.
func (s *Server) Commands() []CommandSet {
	s.cmdMu.Lock()
	defer s.cmdMu.Unlock()
	out := make([]CommandSet, 0, len(s.commands))
	for k, cmds := range s.commands {
		out = append(out, CommandSet{Scope: k.scope, LanguageCode: k.lang, Commands: append([]BotCommand(nil), cmds...)})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Scope != b.Scope {
			if a.Scope.Type != b.Scope.Type {
				return a.Scope.Type < b.Scope.Type
			}
			if a.Scope.ChatID != b.Scope.ChatID {
				return a.Scope.ChatID < b.Scope.ChatID
			}
			return a.Scope.UserID < b.Scope.UserID
		}
		return a.LanguageCode < b.LanguageCode
	})
	return out
}

// CommandsFor returns the commands set for exactly this scope and language
// ("" for all languages), as getMyCommands would.
func (s *Server) CommandsFor(scope CommandScope, languageCode string) []BotCommand {
	if scope.Type == "" {
		scope.Type = "default"
	}
	s.cmdMu.Lock()
	defer s.cmdMu.Unlock()
	return append([]BotCommand(nil), s.commands[commandKey{scope, languageCode}]...)
}

// commandKeyOf reads the scope and language_code parameters.
func (s *Server) commandKeyOf(rq *request) (commandKey, *apiError) {
	lang := rq.get("language_code")
	if lang != "" && (len(lang) != 2 || lang[0] < 'a' || lang[0] > 'z' || lang[1] < 'a' || lang[1] > 'z') {
		return commandKey{}, badRequest("invalid language code specified")
	}
	k := commandKey{scope: CommandScope{Type: "default"}, lang: lang}
	raw := strings.TrimSpace(rq.get("scope"))
	if raw == "" {
		return k, nil
	}
	var sc struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}
	if json.Unmarshal([]byte(raw), &sc) != nil {
		return k, badRequest("can't parse BotCommandScope JSON object")
	}
	k.scope.Type = sc.Type
	switch sc.Type {
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
		return k, nil
	case "chat", "chat_administrators", "chat_member":
	default:
		return k, badRequest("unsupported type of BotCommandScope specified")
	}
	var chatParam string
	if json.Unmarshal(sc.ChatID, &chatParam) != nil {
		chatParam = string(sc.ChatID)
	}
	cs, id, err := s.resolveChat(chatParam)
	if err != nil {
		return k, err
	}
	k.scope.ChatID = id
	if sc.Type == "chat_member" {
		if cs.chat.Type == ChatPrivate {
			return k, badRequest("can't use chat_member scope in private chats")
		}
		if _, ok := s.user(sc.UserID); !ok || sc.UserID <= 0 {
			return k, badRequest("user not found")
		}
		k.scope.UserID = sc.UserID
	} else if sc.Type == "chat_administrators" && cs.chat.Type == ChatPrivate {
		return k, badRequest("can't use chat_administrators scope in private chats")
	}
	return k, nil
}

// setMyCommands validates like the Bot API and tdlib: a command is trimmed
// and loses a leading "/", must be 1–32 characters of a-z, 0-9 and _
// (else BOT_COMMAND_INVALID, Telegram's server rejects upper case), and
// its description must be 1–256 characters after trimming; at most 100
// commands.
func (s *Server) setMyCommands(rq *request, rp *reply) {
	var list []BotCommand
	if raw := rq.get("commands"); raw != "" {
		var items []json.RawMessage
		var probe any
		if json.Unmarshal([]byte(raw), &probe) != nil {
			rp.fail(badRequest("can't parse commands JSON object"))
			return
		}
		if json.Unmarshal([]byte(raw), &items) != nil || items == nil {
			rp.fail(badRequest("expected an Array of BotCommand"))
			return
		}
		for _, item := range items {
			var obj map[string]json.RawMessage
			if json.Unmarshal(item, &obj) != nil || obj == nil {
				rp.fail(badRequest("can't parse BotCommand: expected an Object"))
				return
			}
			cmd, present, ok := jsonStringField(obj, "command")
			if !present || !ok {
				rp.fail(badRequest(`can't parse BotCommand: Can't find field "command"`))
				return
			}
			desc, present, ok := jsonStringField(obj, "description")
			if !present || !ok {
				rp.fail(badRequest(`can't parse BotCommand: Can't find field "description"`))
				return
			}
			list = append(list, BotCommand{Command: cmd, Description: desc})
		}
	}
	if len(list) > 100 {
		rp.fail(badRequest("BOT_COMMANDS_TOO_MUCH"))
		return
	}
	for i := range list {
		c := &list[i]
		c.Command = strings.TrimSpace(c.Command)
		c.Command = strings.TrimPrefix(c.Command, "/")
		if c.Command == "" {
			rp.fail(badRequest("command must be non-empty"))
			return
		}
		if utf8.RuneCountInString(c.Command) > 32 {
			rp.fail(badRequest("command length must not exceed 32"))
			return
		}
		c.Description = strings.TrimSpace(c.Description)
		if c.Description == "" {
			rp.fail(badRequest("command description must be non-empty"))
			return
		}
		if utf8.RuneCountInString(c.Description) > 256 {
			rp.fail(badRequest("command description length must not exceed 256"))
			return
		}
	}
	k, err := s.commandKeyOf(rq)
	if err != nil {
		rp.fail(err)
		return
	}
	for _, c := range list {
		for i := 0; i < len(c.Command); i++ {
			ch := c.Command[i]
			if !(ch >= 'a' && ch <= 'z' || isDigit(ch) || ch == '_') {
				rp.fail(badRequest("BOT_COMMAND_INVALID"))
				return
			}
		}
	}
	s.cmdMu.Lock()
	if len(list) == 0 {
		delete(s.commands, k)
	} else {
		s.commands[k] = list
	}
	s.cmdMu.Unlock()
	rp.buf = append(rp.buf, "true"...)
}

func (s *Server) getMyCommands(rq *request, rp *reply) {
	k, err := s.commandKeyOf(rq)
	if err != nil {
		rp.fail(err)
		return
	}
	s.cmdMu.Lock()
	list := s.commands[k]
	b := append(rp.buf, '[')
	for i, c := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		b = appendStringField(b, "command", c.Command)
		b = appendStringField(b, "description", c.Description)
		b = append(b, '}')
	}
	s.cmdMu.Unlock()
	rp.buf = append(b, ']')
}

func (s *Server) deleteMyCommands(rq *request, rp *reply) {
	k, err := s.commandKeyOf(rq)
	if err != nil {
		rp.fail(err)
		return
	}
	s.cmdMu.Lock()
	delete(s.commands, k)
	s.cmdMu.Unlock()
	rp.buf = append(rp.buf, "true"...)
}
