package bot

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/loabot/loa/handlers"
	"github.com/loabot/loa/messages"
)

// TestToRequestCarriesWhatAMessageCarries checks every field of a message
// other packages read from handlers.Request (files, albums, locations,
// forwards, captions and the replied-to message), from updates shaped as
// Telegram sends them.
func TestToRequestCarriesWhatAMessageCarries(t *testing.T) {
	const from = `"from":{"id":7,"is_bot":false,"first_name":"Lan","last_name":"Trần","username":"lan","language_code":"vi"}`
	const chat = `"chat":{"id":7,"type":"private","first_name":"Lan"}`
	lan := handlers.User{ID: 7, FirstName: "Lan", LastName: "Trần", Username: "lan", LanguageCode: "vi"}
	update := func(msg string) json.RawMessage {
		return json.RawMessage(`{"update_id":1,"message":{"message_id":10,"date":1,` + from + `,` + chat + `,` + msg + `}}`)
	}
	cases := []struct {
		name string
		msg  string
		want func(r *handlers.Request)
	}{{
		name: "photo: its largest size, the caption and its entities",
		msg: `"media_group_id":"g1","caption":"/broadcast xa-a Họp","caption_entities":[{"type":"bot_command","offset":0,"length":10},{"type":"bold","offset":17,"length":3}],
			"photo":[{"file_id":"s","file_unique_id":"us","width":90,"height":60,"file_size":900},
			{"file_id":"l","file_unique_id":"ul","width":1280,"height":853,"file_size":90000},
			{"file_id":"m","file_unique_id":"um","width":320,"height":213,"file_size":9000}]`,
		want: func(r *handlers.Request) {
			r.Caption = "/broadcast xa-a Họp"
			r.CaptionEntities = []messages.Entity{{Type: "bot_command", Offset: 0, Length: 10}, {Type: "bold", Offset: 17, Length: 3}}
			r.MediaGroupID = "g1"
			r.Media = &handlers.Media{Kind: handlers.MediaPhoto, FileID: "l", FileUniqueID: "ul", Width: 1280, Height: 853, FileSize: 90000}
		},
	}, {
		name: "document with name and type",
		msg:  `"document":{"file_id":"d","file_unique_id":"ud","file_name":"Nghị quyết.pdf","mime_type":"application/pdf","file_size":123456}`,
		want: func(r *handlers.Request) {
			r.Media = &handlers.Media{Kind: handlers.MediaDocument, FileID: "d", FileUniqueID: "ud", FileName: "Nghị quyết.pdf", MimeType: "application/pdf", FileSize: 123456}
		},
	}, {
		name: "video",
		msg:  `"video":{"file_id":"v","file_unique_id":"uv","width":640,"height":360,"duration":12,"file_name":"a.mp4","mime_type":"video/mp4","file_size":5}`,
		want: func(r *handlers.Request) {
			r.Media = &handlers.Media{Kind: handlers.MediaVideo, FileID: "v", FileUniqueID: "uv", Width: 640, Height: 360, Duration: 12, FileName: "a.mp4", MimeType: "video/mp4", FileSize: 5}
		},
	}, {
		name: "audio",
		msg:  `"audio":{"file_id":"a","file_unique_id":"ua","duration":200,"title":"Quốc ca","performer":"Dàn nhạc","mime_type":"audio/mpeg"}`,
		want: func(r *handlers.Request) {
			r.Media = &handlers.Media{Kind: handlers.MediaAudio, FileID: "a", FileUniqueID: "ua", Duration: 200, Title: "Quốc ca", Performer: "Dàn nhạc", MimeType: "audio/mpeg"}
		},
	}, {
		name: "voice",
		msg:  `"voice":{"file_id":"o","file_unique_id":"uo","duration":4,"mime_type":"audio/ogg"}`,
		want: func(r *handlers.Request) {
			r.Media = &handlers.Media{Kind: handlers.MediaVoice, FileID: "o", FileUniqueID: "uo", Duration: 4, MimeType: "audio/ogg"}
		},
	}, {
		name: "location",
		msg:  `"location":{"latitude":21.0285,"longitude":105.8542,"horizontal_accuracy":15}`,
		want: func(r *handlers.Request) {
			r.Location = &handlers.Location{Latitude: 21.0285, Longitude: 105.8542, Accuracy: 15}
		},
	}, {
		name: "forwarded from a person",
		msg:  `"text":"x","forward_origin":{"type":"user","date":5,"sender_user":{"id":9,"is_bot":false,"first_name":"Nam"}}`,
		want: func(r *handlers.Request) {
			r.Text = "x"
			r.ForwardedFrom = &handlers.ForwardOrigin{Kind: handlers.OriginUser, Date: 5, User: &handlers.User{ID: 9, FirstName: "Nam"}}
		},
	}, {
		name: "forwarded from a hidden person",
		msg:  `"text":"x","forward_origin":{"type":"hidden_user","date":5,"sender_user_name":"Bác Ba"}`,
		want: func(r *handlers.Request) {
			r.Text = "x"
			r.ForwardedFrom = &handlers.ForwardOrigin{Kind: handlers.OriginHiddenUser, Date: 5, SenderName: "Bác Ba"}
		},
	}, {
		name: "forwarded from a group, anonymously",
		msg:  `"text":"x","forward_origin":{"type":"chat","date":5,"sender_chat":{"id":-100,"type":"supergroup","title":"Xã A"},"author_signature":"Ban chỉ huy"}`,
		want: func(r *handlers.Request) {
			r.Text = "x"
			r.ForwardedFrom = &handlers.ForwardOrigin{Kind: handlers.OriginChat, Date: 5, Chat: &handlers.Chat{ID: -100, Type: handlers.ChatSupergroup, Title: "Xã A"}, AuthorSignature: "Ban chỉ huy"}
		},
	}, {
		name: "forwarded from a channel post",
		msg:  `"text":"x","forward_origin":{"type":"channel","date":5,"chat":{"id":-1001,"type":"channel","title":"Báo","username":"bao"},"message_id":77}`,
		want: func(r *handlers.Request) {
			r.Text = "x"
			r.ForwardedFrom = &handlers.ForwardOrigin{Kind: handlers.OriginChannel, Date: 5, Chat: &handlers.Chat{ID: -1001, Type: handlers.ChatChannel, Title: "Báo"}, ChatUsername: "bao", MessageID: 77}
		},
	}, {
		name: "forwarded, in the fields before Bot API 7.0",
		msg:  `"text":"x","forward_date":6,"forward_from_chat":{"id":-1001,"type":"channel","title":"Báo","username":"bao"},"forward_from_message_id":78`,
		want: func(r *handlers.Request) {
			r.Text = "x"
			r.ForwardedFrom = &handlers.ForwardOrigin{Kind: handlers.OriginChannel, Date: 6, Chat: &handlers.Chat{ID: -1001, Type: handlers.ChatChannel, Title: "Báo"}, ChatUsername: "bao", MessageID: 78}
		},
	}, {
		name: "a reply to an album's photo, with what it carries",
		msg: `"text":"/broadcast all","entities":[{"type":"bot_command","offset":0,"length":10}],
			"reply_to_message":{"message_id":9,"date":1,` + from + `,` + chat + `,"media_group_id":"g2","caption":"Ảnh <1>","caption_entities":[{"type":"italic","offset":0,"length":3}],"photo":[{"file_id":"p","file_unique_id":"up","width":10,"height":10}]}`,
		want: func(r *handlers.Request) {
			r.Text = "/broadcast all"
			r.Entities = []messages.Entity{{Type: "bot_command", Offset: 0, Length: 10}}
			u := lan
			r.ReplyTo = &u
			r.Replied = &handlers.Message{
				MessageID: 9, From: &u, Caption: "Ảnh <1>", CaptionEntities: []messages.Entity{{Type: "italic", Offset: 0, Length: 3}},
				MediaGroupID: "g2", Media: &handlers.Media{Kind: handlers.MediaPhoto, FileID: "p", FileUniqueID: "up", Width: 10, Height: 10},
			}
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := toRequest(update(tc.msg))
			if !ok {
				t.Fatal("update dropped")
			}
			want := handlers.Request{
				UpdateID: 1, Kind: handlers.KindMessage, MessageID: 10, From: lan,
				Chat: handlers.Chat{ID: 7, Type: handlers.ChatPrivate, Title: "Lan"},
			}
			tc.want(&want)
			if !reflect.DeepEqual(got, want) {
				g, _ := json.MarshalIndent(got, "", " ")
				w, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("got\n%s\nwant\n%s", g, w)
			}
		})
	}
}

// TestToRequestSaysWhatAFileSays checks that a command typed as the caption
// of a file is what the request says, and that a service message without
// text or file is not handed to the handlers.
func TestToRequestSaysWhatAFileSays(t *testing.T) {
	raw := json.RawMessage(`{"update_id":2,"message":{"message_id":3,"date":1,"from":{"id":7,"first_name":"Lan"},"chat":{"id":7,"type":"private"},
		"caption":"/broadcast all Họp","document":{"file_id":"d","file_unique_id":"ud"}}}`)
	req, ok := toRequest(raw)
	if !ok {
		t.Fatal("a captioned document was dropped")
	}
	if said, _ := req.Said(); said != "/broadcast all Họp" {
		t.Errorf("Said() = %q", said)
	}
	service := json.RawMessage(`{"update_id":3,"message":{"message_id":4,"date":1,"from":{"id":7,"first_name":"Lan"},"chat":{"id":-5,"type":"group","title":"G"},"new_chat_title":"H"}}`)
	if _, ok := toRequest(service); ok {
		t.Error("a service message reached the handlers")
	}
}
