// Package sandbox is the practice Telegram: a web chat, served on loopback,
// in which a trainer acts as any person of a cast and sees what the real
// bot, running against the Bot API emulator, answers them.
//
// The sandbox only plays the people: it injects their messages, button
// presses and files into the emulator, and shows the bot's messages as the
// emulator stored them. Nothing inside Loa is replaced.
package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/storage"
)

// Store is what the sandbox reads and writes in Loa's database:
// *storage.DB satisfies it.
type Store interface {
	Directory
	AddSource(ctx context.Context, actorID int64, url, name string, unitIDs []int64) (storage.Source, error)
	Source(ctx context.Context, id int64) (storage.Source, error)
	RemoveSource(ctx context.Context, actorID, id int64) (storage.Source, error)
	SetSourceState(ctx context.Context, id int64, st storage.SourceState) error
	PendingDeliveries(ctx context.Context) (int, error)
}

// Options configure a Sandbox.
type Options struct {
	Emulator *emulator.Server
	// Store is Loa's database; nil serves the web chat alone (page tests).
	Store Store
	// StatePath is the file the sandbox keeps its state in ("" keeps none).
	StatePath string
	// PollOffset is the bot's stored polling offset: restored update IDs
	// continue above it.
	PollOffset int64
	Logger     *slog.Logger
	Clock      func() time.Time
}

// Attachment is a photo or file a person sent, as the web chat shows it.
type Attachment struct {
	Kind    string        `json:"kind"` // "photo" or "document"
	File    emulator.File `json:"file"`
	Caption string        `json:"caption,omitempty"`
	DataURL string        `json:"data_url,omitempty"` // small photos, to show them
}

// state is what survives a restart, kept as JSON in StatePath.
type state struct {
	People      []Person              `json:"people"`
	Groups      []GroupChat           `json:"groups"`
	Articles    []Article             `json:"articles"`
	SourceID    int64                 `json:"source_id,omitempty"`
	SourceURL   string                `json:"source_url,omitempty"`
	Attachments map[string]Attachment `json:"attachments,omitempty"` // "chat/message" → attachment
	Emulator    emulator.Snapshot     `json:"emulator"`
}

// Sandbox is the web chat and what it remembers.
type Sandbox struct {
	o   Options
	log *slog.Logger

	mu     sync.Mutex // guards st and serialises the people's actions
	st     state
	seeded bool // the state came from a file or from a seed

	actions  int64 // people's actions, for change detection
	statsMu  sync.Mutex
	samples  []emulator.Counters
	queueLen int
}

// New makes a Sandbox and restores its state file if there is one.
func New(o Options) (*Sandbox, error) {
	if o.Emulator == nil {
		return nil, errors.New("sandbox: no emulator")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	s := &Sandbox{o: o, log: o.Logger}
	s.st.Attachments = map[string]Attachment{}
	if o.StatePath != "" {
		b, err := os.ReadFile(o.StatePath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("sandbox: read state: %w", err)
		default:
			if err := json.Unmarshal(b, &s.st); err != nil {
				return nil, fmt.Errorf("sandbox: state file %s is damaged (move it away to start afresh): %w", o.StatePath, err)
			}
			if s.st.Attachments == nil {
				s.st.Attachments = map[string]Attachment{}
			}
			o.Emulator.Restore(s.st.Emulator, int(o.PollOffset))
			s.seeded = true
		}
	}
	if !s.seeded {
		// No state: still continue update IDs above a stored offset (a
		// deleted state file with a kept database).
		o.Emulator.Restore(emulator.Snapshot{}, int(o.PollOffset))
	}
	return s, nil
}

// Seed creates the cast and the news feed on a first start; after a
// restart it only points the feed at feedURL if the address changed.
func (s *Sandbox) Seed(ctx context.Context, feedURL string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.seeded {
		if s.o.Store != nil {
			people, groups, err := seedCast(ctx, s.o.Emulator, s.o.Store)
			if err != nil {
				return err
			}
			s.st.People, s.st.Groups = people, groups
		} else {
			for _, m := range defaultCast {
				s.st.People = append(s.st.People, m.Person)
				s.o.Emulator.AddChat(emulator.PrivateChat(m.Person.User()))
			}
			s.st.Groups = []GroupChat{defaultGroup}
			s.o.Emulator.AddChat(defaultGroup.Chat())
		}
		s.st.Articles = exampleArticles()
		s.seeded = true
	}
	if s.o.Store != nil && feedURL != "" && s.st.SourceURL != feedURL {
		if s.st.SourceID != 0 {
			if _, err := s.o.Store.RemoveSource(ctx, storage.SystemActor, s.st.SourceID); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("sandbox: replace the feed: %w", err)
			}
		}
		var units []int64
		for _, code := range []string{"tuyengiao", "chqs"} {
			u, err := s.o.Store.UnitByCode(ctx, code)
			if err != nil {
				return fmt.Errorf("sandbox: feed unit %s: %w", code, err)
			}
			units = append(units, u.ID)
		}
		src, err := s.o.Store.AddSource(ctx, storage.SystemActor, feedURL, "Tin Móng Cái (sandbox)", units)
		if err != nil {
			return fmt.Errorf("sandbox: add the feed: %w", err)
		}
		s.st.SourceID, s.st.SourceURL = src.ID, feedURL
	}
	return s.saveLocked()
}

// Save writes the state file.
func (s *Sandbox) Save() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveLocked()
}

func (s *Sandbox) saveLocked() error {
	if s.o.StatePath == "" {
		return nil
	}
	s.st.Emulator = s.o.Emulator.Snapshot()
	b, err := json.Marshal(&s.st)
	if err != nil {
		return fmt.Errorf("sandbox: encode state: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(s.o.StatePath), 0o700); err != nil {
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	// Write then rename: a crash mid-write must not lose the old state.
	tmp := s.o.StatePath + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	if err := os.Rename(tmp, s.o.StatePath); err != nil {
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	return nil
}

// Run samples the counters and saves the state every few seconds (the
// bot's messages arrive on their own) until ctx ends, then saves once more.
func (s *Sandbox) Run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last := ""
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			if err := s.Save(); err != nil {
				s.log.Error("sandbox: save state", "err", err)
			}
			return
		case <-tick.C:
		}
		s.sample(ctx)
		if fp := s.fingerprint(); n%3 == 0 && fp != last {
			if err := s.Save(); err != nil {
				s.log.Error("sandbox: save state", "err", err)
			} else {
				last = fp
			}
		}
	}
}

// sample records the emulator's counters and the outbox depth.
func (s *Sandbox) sample(ctx context.Context) {
	c := s.o.Emulator.Counters()
	depth := 0
	if s.o.Store != nil {
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if n, err := s.o.Store.PendingDeliveries(qctx); err == nil {
			depth = n
		}
		cancel()
	}
	s.statsMu.Lock()
	s.samples = append(s.samples, c)
	if len(s.samples) > 6 {
		s.samples = s.samples[len(s.samples)-6:]
	}
	s.queueLen = depth
	s.statsMu.Unlock()
}

// Stats is the counters panel.
type Stats struct {
	PerSecond       float64 `json:"per_second"`
	Messages        int     `json:"messages"`
	TooManyRequests int     `json:"too_many_requests"`
	Errors          int     `json:"errors"` // every error answer, 429s included
	Queue           int     `json:"queue"`
}

// Stats returns the figures of the counters panel: messages per second over
// the last seconds sampled.
func (s *Sandbox) Stats() Stats {
	c := s.o.Emulator.Counters()
	st := Stats{Messages: c.Messages, TooManyRequests: c.TooManyRequests, Errors: c.Errors}
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	st.Queue = s.queueLen
	if n := len(s.samples); n >= 2 {
		first, last := s.samples[0], s.samples[n-1]
		if d := last.At.Sub(first.At).Seconds(); d > 0 {
			st.PerSecond = float64(last.Messages-first.Messages) / d
		}
	}
	return st
}

// fingerprint changes whenever something a chat shows may have changed.
func (s *Sandbox) fingerprint() string {
	e := s.o.Emulator
	s.mu.Lock()
	a := s.actions
	s.mu.Unlock()
	return fmt.Sprint(e.MessageCount(), e.Calls("editMessageText"), e.Calls("editMessageReplyMarkup"), e.Calls("deleteMessage"), a)
}

// person returns a person of the cast.
func (s *Sandbox) personLocked(id int64) (Person, bool) {
	for _, p := range s.st.People {
		if p.ID == id {
			return p, true
		}
	}
	return Person{}, false
}

func (s *Sandbox) groupLocked(id int64) (GroupChat, bool) {
	for _, g := range s.st.Groups {
		if g.ID == id {
			return g, true
		}
	}
	return GroupChat{}, false
}

// chatOfLocked resolves the chat a person acts in: their private chat, or a
// group they are a member of.
func (s *Sandbox) chatOfLocked(as, chat int64) (Person, emulator.Chat, error) {
	p, ok := s.personLocked(as)
	if !ok {
		return Person{}, emulator.Chat{}, fmt.Errorf("unknown person %d", as)
	}
	if chat == 0 || chat == as {
		return p, emulator.PrivateChat(p.User()), nil
	}
	g, ok := s.groupLocked(chat)
	if !ok {
		return Person{}, emulator.Chat{}, fmt.Errorf("unknown chat %d", chat)
	}
	for _, m := range g.Members {
		if m == as {
			return p, g.Chat(), nil
		}
	}
	return Person{}, emulator.Chat{}, fmt.Errorf("%s is not in %s", p.Name(), g.Title)
}

// groupsOfLocked lists the groups a person is in.
func (s *Sandbox) groupsOfLocked(as int64) []GroupChat {
	var out []GroupChat
	for _, g := range s.st.Groups {
		for _, m := range g.Members {
			if m == as {
				out = append(out, g)
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Title < out[j].Title })
	return out
}
