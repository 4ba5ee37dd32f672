package emulator

import (
	"strconv"
	"sync/atomic"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// BenchmarkSendMessage measures sendMessage throughput through
// go-telegram-bot-api, the way Loa's dispatcher sends: many goroutines,
// many chats, HTML text, a keyboard shared by a broadcast or one per
// message. The client's own work is included (about half the time).
func BenchmarkSendMessage(b *testing.B) {
	for _, bc := range []struct {
		name     string
		keyboard func(n int64) any
	}{
		{"plain", func(int64) any { return nil }},
		{"shared-keyboard", func(int64) any {
			return tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Đã đọc", "read:123")))
		}},
		{"unique-keyboard", func(n int64) any {
			return tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Đã đọc", "read:"+strconv.FormatInt(n, 10))))
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := New()
			defer s.Close()
			bot, err := tgbotapi.NewBotAPIWithClient(s.Token(), s.Endpoint(), s.Client())
			if err != nil {
				b.Fatal(err)
			}
			chats := s.AddChats(ChatPrivate, 2000)
			var next atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := next.Add(1)
					m := tgbotapi.NewMessage(chats[n%int64(len(chats))].ID, "<b>Bản tin Móng Cái</b>\nTập huấn dân quân tự vệ năm 2025 — <a href=\"https://example.vn/a\">xem</a>")
					m.ParseMode = tgbotapi.ModeHTML
					m.ReplyMarkup = bc.keyboard(n)
					if _, err := bot.Send(m); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			if s.MessageCount() < b.N {
				b.Fatalf("stored %d of %d", s.MessageCount(), b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

func BenchmarkParseHTML(b *testing.B) {
	html := "<b>Bản tin Móng Cái</b>\nTập huấn dân quân tự vệ năm 2025 — <a href=\"https://example.vn/a\">xem</a> &amp; <i>thảo luận</i>"
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParseHTML(html); err != nil {
			b.Fatal(err)
		}
	}
}
