package messages

// Units, people and access: /units, /subscribe, /unsubscribe, /join, /me,
// /members, /invite, /invites, /revoke, /promote, /demote, invite links and
// join requests. Unit names and codes arrive as string arguments (escaped);
// ready-made fragments (lists, links) as HTML.
const (
	// KeyUnitUnknown: no unit matches. Argument: what was typed (string).
	KeyUnitUnknown Key = "units.unknown"
	// KeyUnitChoose: several units match; buttons follow. Argument: what was typed (string).
	KeyUnitChoose Key = "units.choose"
	// KeyUnitButton is the text of a button naming a unit (plain text). Arguments: name, code.
	KeyUnitButton Key = "units.button"
	// KeyUnitsHeader heads /units.
	KeyUnitsHeader Key = "units.header"
	// KeyUnitsLine is one unit in /units. Arguments: indentation and mark (HTML), name, code.
	KeyUnitsLine Key = "units.line"
	// KeyUnitsLegend ends /units with the meaning of the marks and how to follow.
	KeyUnitsLegend Key = "units.legend"
	// KeyUnitsEmpty: no unit has been imported yet.
	KeyUnitsEmpty Key = "units.empty"

	// KeySubscribed: this chat now follows the unit. Arguments: name, code.
	KeySubscribed Key = "subscribe.done"
	// KeyAlreadySubscribed. Arguments: name, code.
	KeyAlreadySubscribed Key = "subscribe.already"
	// KeySubscribeRestricted: a restricted unit the asker does not belong to. Arguments: name, code.
	KeySubscribeRestricted Key = "subscribe.restricted"
	// KeySubscribeGroupAdminOnly: in a group only its admins change what it follows.
	KeySubscribeGroupAdminOnly Key = "subscribe.group_admin_only"
	// KeyUnsubscribed. Arguments: name, code.
	KeyUnsubscribed Key = "unsubscribe.done"
	// KeyNotSubscribed. Arguments: name, code.
	KeyNotSubscribed Key = "unsubscribe.not_subscribed"

	// KeyJoinRequested: the request went to the unit's officers. Arguments: name, code.
	KeyJoinRequested Key = "join.requested"
	// KeyJoinAlreadyRequested. Arguments: name, code.
	KeyJoinAlreadyRequested Key = "join.already_requested"
	// KeyJoinAlreadyMember. Arguments: name, code.
	KeyJoinAlreadyMember Key = "join.already_member"
	// KeyJoinRequestForApprover tells an officer someone asks to join.
	// Arguments: the person's name, their id (int), unit name, unit code.
	KeyJoinRequestForApprover Key = "join.for_approver"
	// KeyJoinApproveButton and KeyJoinRejectButton are button texts (plain).
	KeyJoinApproveButton Key = "join.approve_button"
	KeyJoinRejectButton  Key = "join.reject_button"
	// KeyJoinApprovedBy / KeyJoinRejectedBy replace the approver's message.
	// Arguments: the person's name, unit name, the decider's name.
	KeyJoinApprovedBy Key = "join.approved_by"
	KeyJoinRejectedBy Key = "join.rejected_by"
	// KeyJoinApproved / KeyJoinRejected tell the asker. Arguments: unit name, code.
	KeyJoinApproved Key = "join.approved"
	KeyJoinRejected Key = "join.rejected"
	// KeyJoinCooldown: the unit refused this person recently; they may ask
	// again later. Arguments: name, code, when (string, dd/mm/yyyy hh:mm).
	KeyJoinCooldown Key = "join.cooldown"
	// KeyJoinTooMany: the person has too many requests waiting. Argument:
	// the limit (int).
	KeyJoinTooMany Key = "join.too_many"
	// KeyJoinAlreadyDecided is a toast (plain text).
	KeyJoinAlreadyDecided Key = "join.already_decided"
	// KeyDone is a short toast (plain text) acknowledging a button.
	KeyDone Key = "toast.done"

	// KeyMe describes the asker. Arguments: name, id (int), role line (HTML), units (HTML).
	KeyMe Key = "me.card"
	// KeyMeAdmin and KeyMeNoRole are the role line.
	KeyMeAdmin  Key = "me.admin"
	KeyMeNoRole Key = "me.no_role"
	// KeyMeUnitLine is one unit of /me or /members. Arguments: unit name, code, role (HTML).
	KeyMeUnitLine Key = "me.unit_line"
	// KeyMeNoUnits: the asker belongs to no unit.
	KeyMeNoUnits Key = "me.no_units"
	// KeyRoleOfficer and KeyRoleMember name unit roles.
	KeyRoleOfficer Key = "role.officer"
	KeyRoleMember  Key = "role.member"

	// KeyMembersHeader heads /members. Arguments: unit name, code, count (int).
	KeyMembersHeader Key = "members.header"
	// KeyMembersLine is one person. Arguments: name, id (int), role (HTML).
	KeyMembersLine Key = "members.line"
	// KeyMembersEmpty: nobody in the unit yet. Arguments: name, code.
	KeyMembersEmpty Key = "members.empty"

	// KeyInviteCreated gives the link. Arguments: unit name, code, role (HTML),
	// uses (int), expiry date (string), link (HTML).
	KeyInviteCreated Key = "invite.created"
	// KeyInviteUsage explains /invite's arguments.
	KeyInviteUsage Key = "invite.usage"
	// KeyInvitesHeader heads /invites; KeyInvitesLine is one invite.
	// Line arguments: invite code (string), unit name, role (HTML), uses and max uses (Count), expiry (string).
	KeyInvitesHeader Key = "invites.header"
	KeyInvitesLine   Key = "invites.line"
	// KeyInvitesEmpty: no active invite.
	KeyInvitesEmpty Key = "invites.empty"
	// KeyInviteRevoked. Argument: the code (string).
	KeyInviteRevoked Key = "invite.revoked_done"
	// KeyInviteNotFound. Argument: the code (string).
	KeyInviteNotFound Key = "invite.not_found"

	// Redeeming a link (/start <code>). KeyInviteJoined arguments: unit name, code, role (HTML).
	KeyInviteJoined      Key = "invite.joined"
	KeyInviteInvalid     Key = "invite.invalid"
	KeyInviteExpired     Key = "invite.expired"
	KeyInviteUsedUp      Key = "invite.used_up"
	KeyInviteWasRevoked  Key = "invite.was_revoked"
	KeyInviteAlreadyHave Key = "invite.already_member"

	// KeyPromoteUsage / KeyDemoteUsage explain the arguments.
	KeyPromoteUsage Key = "promote.usage"
	KeyDemoteUsage  Key = "demote.usage"
	// KeyPromotedAdmin / KeyDemotedAdmin. Argument: the person's name or id (string).
	KeyPromotedAdmin Key = "promote.admin"
	KeyDemotedAdmin  Key = "demote.admin"
	// KeyPromotedOfficer / KeyDemotedMember / KeyRemovedFromUnit.
	// Arguments: the person (string), unit name, code.
	KeyPromotedOfficer  Key = "promote.officer"
	KeyDemotedMember    Key = "demote.member"
	KeyRemovedFromUnit  Key = "demote.removed"
	KeyNotInUnit        Key = "demote.not_in_unit"
	KeyCannotDemoteSelf Key = "demote.self"
	// KeyNeedTarget: reply to the person's message or give their id.
	KeyNeedTarget Key = "people.need_target"

	// Descriptions of the commands of this feature.
	KeyCmdInvites Key = "cmd.invites"
	KeyCmdRevoke  Key = "cmd.revoke"
)

const (
	// KeyUnitUsage explains a command that takes one unit. Argument: the command without "/" (string).
	KeyUnitUsage Key = "units.usage"
	// KeyNotAllowedShort is KeyNotAllowed as a toast (plain text).
	KeyNotAllowedShort Key = "toast.not_allowed"
)
