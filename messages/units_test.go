package messages

import "testing"

func init() {
	moreSampleArgs = append(moreSampleArgs, func(lang Lang) map[Key][]any {
		role := HTML(T(lang, KeyRoleMember))
		return map[Key][]any{
			KeyUnitUnknown:            {"tra co <script>"},
			KeyUnitUsage:              {"subscribe"},
			KeyUnitChoose:             {"tra co"},
			KeyUnitButton:             {"Dân quân phường Trà Cổ", "dq-tra-co"},
			KeyUnitsLine:              {HTML("  ✅"), "Ban Tuyên giáo Thành ủy", "tuyengiao"},
			KeySubscribed:             {"Ban Tuyên giáo Thành ủy", "tuyengiao"},
			KeyAlreadySubscribed:      {"Ban Tuyên giáo Thành ủy", "tuyengiao"},
			KeySubscribeRestricted:    {"Dân quân phường Trà Cổ", "dq-tra-co"},
			KeyUnsubscribed:           {"Ban Tuyên giáo Thành ủy", "tuyengiao"},
			KeyNotSubscribed:          {"Ban Tuyên giáo Thành ủy", "tuyengiao"},
			KeyJoinRequested:          {"Dân quân phường Trà Cổ", "dq-tra-co"},
			KeyJoinAlreadyRequested:   {"Dân quân phường Trà Cổ", "dq-tra-co"},
			KeyJoinAlreadyMember:      {"Dân quân phường Trà Cổ", "dq-tra-co"},
			KeyJoinCooldown:           {"Dân quân phường Trà Cổ", "dq-tra-co", "19/11/2021 09:00"},
			KeyJoinTooMany:            {3},
			KeyJoinRequestForApprover: {"Vũ Văn Hùng", 123456789, "Dân quân phường Trà Cổ", "dq-tra-co"},
			KeyJoinApprovedBy:         {"Vũ Văn Hùng", "Dân quân phường Trà Cổ", "Nguyễn Thị Lan"},
			KeyJoinRejectedBy:         {"Vũ Văn Hùng", "Dân quân phường Trà Cổ", "Nguyễn Thị Lan"},
			KeyJoinApproved:           {"Dân quân phường Trà Cổ", "dq-tra-co"},
			KeyJoinRejected:           {"Dân quân phường Trà Cổ", "dq-tra-co"},
			KeyMe:                     {"Nguyễn Thị Lan", 123456789, HTML(T(lang, KeyMeNoRole)), HTML(T(lang, KeyMeUnitLine, "Dân quân phường Trà Cổ", "dq-tra-co", role))},
			KeyMeUnitLine:             {"Dân quân phường Trà Cổ", "dq-tra-co", role},
			KeyMembersHeader:          {"Dân quân phường Trà Cổ", "dq-tra-co", Count(1250)},
			KeyMembersLine:            {"Vũ Văn Hùng", 123456789, role},
			KeyMembersEmpty:           {"Dân quân phường Trà Cổ", "dq-tra-co"},
			KeyInviteCreated:          {"Dân quân phường Trà Cổ", "dq-tra-co", role, 10, "25/11/2021", Link("https://t.me/loa_bot?start=AbC_dEf-123", "https://t.me/loa_bot?start=AbC_dEf-123")},
			KeyInvitesLine:            {"AbC_dEf-123", "Dân quân phường Trà Cổ", role, Count(3), Count(10), "25/11/2021"},
			KeyInviteRevoked:          {"AbC_dEf-123"},
			KeyInviteNotFound:         {"AbC_dEf-123"},
			KeyInviteJoined:           {"Dân quân phường Trà Cổ", "dq-tra-co", role},
			KeyInviteAlreadyHave:      {"Dân quân phường Trà Cổ", "dq-tra-co"},
			KeyPromotedAdmin:          {"Vũ Văn Hùng"},
			KeyDemotedAdmin:           {"Vũ Văn Hùng"},
			KeyPromotedOfficer:        {"Vũ Văn Hùng", "Dân quân phường Trà Cổ", "dq-tra-co"},
			KeyDemotedMember:          {"Vũ Văn Hùng", "Dân quân phường Trà Cổ", "dq-tra-co"},
			KeyRemovedFromUnit:        {"Vũ Văn Hùng", "Dân quân phường Trà Cổ", "dq-tra-co"},
			KeyNotInUnit:              {"Vũ Văn Hùng", "Dân quân phường Trà Cổ", "dq-tra-co"},
		}
	})
	toastKeys = append(toastKeys, KeyJoinAlreadyDecided, KeyDone, KeyNotAllowedShort, KeyJoinApproveButton, KeyJoinRejectButton)
}

func TestPlainDoesNotEscape(t *testing.T) {
	got := Plain(Vietnamese, KeyUnitButton, "Tổ A & B", "to-a-b")
	if got != "Tổ A & B (to-a-b)" {
		t.Fatalf("Plain = %q", got)
	}
}
