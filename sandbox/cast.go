package sandbox

import (
	"context"
	"fmt"

	"github.com/loabot/loa/emulator"
	"github.com/loabot/loa/storage"
)

// Person is someone of the cast: a Telegram user the trainer can act as.
type Person struct {
	ID        int64  `json:"id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name,omitempty"`
	Title     string `json:"title,omitempty"` // what they do, as the cast list shows it
	Lang      string `json:"lang"`            // Telegram language_code
}

// Name is the person's name in Vietnamese order: family name first.
func (p Person) Name() string {
	if p.LastName == "" {
		return p.FirstName
	}
	return p.LastName + " " + p.FirstName
}

// User is the person as the emulator knows them.
func (p Person) User() emulator.User {
	return emulator.User{ID: p.ID, FirstName: p.FirstName, LastName: p.LastName, LanguageCode: p.Lang}
}

// GroupChat is a group the bot is in, with the cast members in it.
type GroupChat struct {
	ID      int64   `json:"id"`
	Title   string  `json:"title"`
	Members []int64 `json:"members"`
}

// Chat is the group as the emulator knows it.
func (g GroupChat) Chat() emulator.Chat { return emulator.Group(g.ID, g.Title) }

// Cast IDs. People get IDs in one range, added people continue it.
const (
	AdminID       = 700001
	OfficerID     = 700002
	LeaderID      = 700003
	WardTraCoID   = 700004 // officer of Phường Trà Cổ: receives its militia's reports
	MilitiaTraCo1 = 700011
	MilitiaTraCo2 = 700012
	MilitiaHX1    = 700021
	MilitiaHX2    = 700022
	firstAddedID  = 700100
	WardGroupID   = -4000700001
	firstGroupID  = -4000700100
)

// castMember is a person of the default cast with their place in the units.
type castMember struct {
	Person
	admin     bool
	unit      string // unit code
	role      string // storage.RoleMember or storage.RoleOfficer
	subscribe string // unit code their private chat follows, "" for none
}

// defaultCast is the cast of a first start: the two departments of the
// coordination program and the militia of two wards.
var defaultCast = []castMember{
	{Person{AdminID, "Hương", "Nguyễn Thị", "Ban Tuyên giáo · quản trị", "vi"}, true, "tuyengiao", storage.RoleOfficer, "tuyengiao"},
	{Person{OfficerID, "Hùng", "Trần Văn", "Ban CHQS thành phố · cán bộ", "vi"}, false, "chqs", storage.RoleOfficer, "chqs"},
	{Person{LeaderID, "Thắng", "Phạm Đức", "Trung đội trưởng dân quân cơ động", "vi"}, false, "dq-co-dong", storage.RoleOfficer, "dq-co-dong"},
	{Person{WardTraCoID, "Đức", "Ngô Minh", "Chỉ huy trưởng quân sự phường Trà Cổ", "vi"}, false, "p-tra-co", storage.RoleOfficer, ""},
	{Person{MilitiaTraCo1, "Nam", "Lê Văn", "Dân quân phường Trà Cổ", "vi"}, false, "dq-tra-co", storage.RoleMember, ""},
	{Person{MilitiaTraCo2, "Mai", "Hoàng Thị", "Dân quân phường Trà Cổ", "vi"}, false, "dq-tra-co", storage.RoleMember, "dq-tra-co"},
	{Person{MilitiaHX1, "Tuấn", "Vũ Minh", "Dân quân phường Hải Xuân", "vi"}, false, "dq-hai-xuan", storage.RoleMember, "dq-hai-xuan"},
	{Person{MilitiaHX2, "Lan", "Đỗ Thị", "Dân quân phường Hải Xuân", "en"}, false, "dq-hai-xuan", storage.RoleMember, "dq-hai-xuan"},
}

// defaultGroup is the ward's group chat: the Trà Cổ militia and the
// platoon leader, following the ward's militia.
var defaultGroup = GroupChat{ID: WardGroupID, Title: "Dân quân phường Trà Cổ", Members: []int64{LeaderID, MilitiaTraCo1, MilitiaTraCo2}}

const defaultGroupUnit = "dq-tra-co"

// Directory is what seeding the cast writes; *storage.DB satisfies it.
type Directory interface {
	UnitByCode(ctx context.Context, code string) (storage.Unit, error)
	UpsertUser(ctx context.Context, u storage.User) error
	UpsertChat(ctx context.Context, c storage.Chat) error
	SetUserRole(ctx context.Context, actorID, userID int64, role string) error
	SetMembership(ctx context.Context, actorID, userID, unitID int64, role string) error
	Subscribe(ctx context.Context, actorID, chatID, unitID int64) (bool, error)
}

// seedCast records the default cast: in the emulator, as people who have
// started the bot and a group the bot is in; in storage, with their
// memberships and subscriptions. It is run once, on a first start; every
// call is idempotent so an interrupted first start can run it again.
func seedCast(ctx context.Context, emu *emulator.Server, dir Directory) ([]Person, []GroupChat, error) {
	unitID := func(code string) (int64, error) {
		u, err := dir.UnitByCode(ctx, code)
		if err != nil {
			return 0, fmt.Errorf("seed the cast: unit %q (is examples/mongcai/units.yaml imported?): %w", code, err)
		}
		return u.ID, nil
	}
	var people []Person
	for _, m := range defaultCast {
		p := m.Person
		people = append(people, p)
		emu.AddChat(emulator.PrivateChat(p.User()))
		emu.AddUser(p.User())
		if err := dir.UpsertUser(ctx, storage.User{ID: p.ID, FirstName: p.FirstName, LastName: p.LastName, Language: p.Lang}); err != nil {
			return nil, nil, fmt.Errorf("seed %s: %w", p.Name(), err)
		}
		if err := dir.UpsertChat(ctx, storage.Chat{ID: p.ID, Type: emulator.ChatPrivate, Title: p.Name()}); err != nil {
			return nil, nil, fmt.Errorf("seed %s: %w", p.Name(), err)
		}
		if m.admin {
			if err := dir.SetUserRole(ctx, storage.SystemActor, p.ID, storage.RoleAdmin); err != nil {
				return nil, nil, fmt.Errorf("seed %s: %w", p.Name(), err)
			}
		}
		id, err := unitID(m.unit)
		if err != nil {
			return nil, nil, err
		}
		if err := dir.SetMembership(ctx, storage.SystemActor, p.ID, id, m.role); err != nil {
			return nil, nil, fmt.Errorf("seed %s in %s: %w", p.Name(), m.unit, err)
		}
		if m.subscribe != "" {
			sid, err := unitID(m.subscribe)
			if err != nil {
				return nil, nil, err
			}
			if _, err := dir.Subscribe(ctx, storage.SystemActor, p.ID, sid); err != nil {
				return nil, nil, fmt.Errorf("seed %s following %s: %w", p.Name(), m.subscribe, err)
			}
		}
	}
	g := defaultGroup
	emu.AddChat(g.Chat())
	emu.SetMember(g.ID, LeaderID, emulator.StatusAdministrator)
	for _, id := range g.Members[1:] {
		emu.SetMember(g.ID, id, emulator.StatusMember)
	}
	if err := dir.UpsertChat(ctx, storage.Chat{ID: g.ID, Type: emulator.ChatGroup, Title: g.Title}); err != nil {
		return nil, nil, fmt.Errorf("seed group %s: %w", g.Title, err)
	}
	uid, err := unitID(defaultGroupUnit)
	if err != nil {
		return nil, nil, err
	}
	if _, err := dir.Subscribe(ctx, storage.SystemActor, g.ID, uid); err != nil {
		return nil, nil, fmt.Errorf("seed group %s following %s: %w", g.Title, defaultGroupUnit, err)
	}
	return people, []GroupChat{g}, nil
}
