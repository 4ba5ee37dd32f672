package messages

func init() {
	moreSampleArgs = append(moreSampleArgs, func(lang Lang) map[Key][]any {
		return map[Key][]any{
			KeyReportThanks:              {42, "Dân quân phường Trà Cổ"},
			KeyReportThanksJoined:        {42, 10},
			KeyReportHeader:              {42, T(lang, KeyReportKindFalse)},
			KeyReportEscalatedFrom:       {"Dân quân phường Trà Cổ", "Trang này lan rộng, đề nghị phường chỉ đạo"},
			KeyReportUnitLine:            {"Phường Trà Cổ"},
			KeyReportStateLine:           {T(lang, KeyReportStateTaken)},
			KeyReportReporterLine:        {"Nguyễn Thị Lan @lan_tc", "18/11/2021 16:44"},
			KeyReportReportersLine:       {10},
			KeyReportLinkLine:            {Link("https://facebook.com/tin.gia/posts/9", "https://facebook.com/tin.gia/posts/9")},
			KeyReportForwardLine:         {Link("https://t.me/tinnong24h/777", "Tin nóng 24h")},
			KeyReportLocationLine:        {Link("https://maps.google.com/?q=21.524700,107.965400", T(lang, KeyReportMap))},
			KeyReportMediaLine:           {2},
			KeyReportHistoryLine:         {"18/11/2021 16:44", T(lang, KeyReportActionEscalated), "Phường Trà Cổ", HTML(T(lang, KeyReportNote, "Đề nghị phường xử lý"))},
			KeyReportNote:                {"Đề nghị phường xử lý"},
			KeyReportTaken:               {42},
			KeyReportAskNoteUp:           {42, "Phường Trà Cổ"},
			KeyReportAskNoteDone:         {42},
			KeyReportEscalated:           {42, "Phường Trà Cổ"},
			KeyReportHandled:             {42},
			KeyReportNoUnitAbove:         {42},
			KeyReportNoteTooLong:         {Count(500)},
			KeyReportNotFound:            {42},
			KeyReportBulletinText:        {HTML("Ông Sáu hiến 200 m² đất làm đường")},
			KeyReportToReporterTaken:     {42, "Dân quân phường Trà Cổ"},
			KeyReportToReporterEscalated: {42, "Phường Trà Cổ"},
			KeyReportToReporterHandled:   {42, "Đã đề nghị gỡ bài"},
			KeyReportListHeader:          {3},
			KeyReportListKind:            {T(lang, KeyReportKindOpinion)},
			KeyReportListLine:            {42, "18/11/2021", "Dân quân phường Trà Cổ", "Bà con thôn 3 phản ánh…", HTML(T(lang, KeyReportListReporters, 10))},
			KeyReportListReporters:       {10},
			KeyReportSameLinkHead:        {Link("https://facebook.com/tin.gia/posts/9", "https://facebook.com/tin.gia/posts/9"), 3, 12},
			KeyReportDigestTitle:         {"15/11/2021", "21/11/2021"},
			KeyReportDigestCount:         {"Dân quân phường Trà Cổ", 4},
			KeyReportDigestStale:         {3},
		}
	})
	toastKeys = append(toastKeys, KeyReportDraftGone, KeyReportMovedOn, KeyReportNotFoundToast,
		KeyReportKindOpinion, KeyReportKindFalse, KeyReportKindModel, KeyReportKindBorder, KeyReportKindOther,
		KeyReportButtonTake, KeyReportButtonEscalate, KeyReportButtonHandled, KeyReportButtonSameLink, KeyReportButtonBulletin)
}
