package emulator_test

import (
	"context"
	"fmt"
	"html"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/loabot/loa/emulator"
)

// A test plays a person writing to the bot and reads what the bot answered.
func Example() {
	s := emulator.New()
	defer s.Close()
	bot, err := tgbotapi.NewBotAPIWithClient(s.Token(), s.Endpoint(), s.Client())
	if err != nil {
		panic(err)
	}

	lan := emulator.User{ID: 1001, FirstName: "Lan & Minh", LanguageCode: "vi"}
	s.SendText(emulator.PrivateChat(lan), lan, "/start")

	// The bot under test: one round of its polling loop.
	ups, _ := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 1})
	for _, u := range ups {
		if u.Message.IsCommand() && u.Message.Command() == "start" {
			name := u.Message.From.FirstName
			careless := tgbotapi.NewMessage(u.Message.Chat.ID, "<b>Chào</b> "+name)
			careless.ParseMode = tgbotapi.ModeHTML
			_, err := bot.Send(careless)
			fmt.Println(err)

			careful := tgbotapi.NewMessage(u.Message.Chat.ID, "<b>Chào</b> "+html.EscapeString(name))
			careful.ParseMode = tgbotapi.ModeHTML
			_, err = bot.Send(careful)
			fmt.Println(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	msgs, _ := s.WaitMessages(ctx, lan.ID, 1)
	fmt.Printf("%q %s %d..%d\n", msgs[0].Text, msgs[0].Entities[0].Type, msgs[0].Entities[0].Offset, msgs[0].Entities[0].Length)
	// Output:
	// Bad Request: can't parse entities: Unsupported character entity at byte offset 17 (emulator: Telegram would show it as is; escape "&" as "&amp;")
	// <nil>
	// "Chào Lan & Minh" bold 0..4
}
