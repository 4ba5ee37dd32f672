package agreements_test

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/loabot/loa/agreements"
)

// articleTasks are the tasks the article of 18/11/2021 on the signing of
// the program names, in its words (Báo Quảng Ninh / Trung tâm TTVH Móng
// Cái, "Ký kết chương trình phối hợp công tác"). The shipped plan is an
// example people learn the program from: each of these must be the title
// of a task, word for word (ignoring case and the dash written in ranges).
var articleTasks = []string{
	"kế hoạch phối hợp năm 2021–2022",
	"tuyên truyền chủ trương, đường lối của Đảng, pháp luật của Nhà nước về công tác quốc phòng, bảo vệ Tổ quốc",
	"tham mưu cho Thành ủy, HĐND, UBND thành phố triển khai, tổ chức thực hiện thắng lợi các Nghị quyết của Đảng các cấp",
	"Nghị quyết 03-NQ/TU ngày 23/3/2021 của Ban Thường vụ Tỉnh ủy về lãnh đạo công tác quốc phòng, quân sự địa phương giai đoạn 2021–2025",
	"tuyên truyền nâng cao nhận thức của các tầng lớp nhân dân về công tác quốc phòng, quân sự địa phương",
	"bồi dưỡng lý luận chính trị, kiến thức quốc phòng và an ninh cho các đối tượng",
	"tuyên truyền các sự kiện chính trị của đất nước, truyền thống vẻ vang của Đảng, dân tộc, Quân đội, lực lượng vũ trang",
	"những thành tích, cách làm hay, mô hình sáng tạo, hiệu quả trong thực hiện các phong trào thi đua",
	"bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch trong tình hình mới",
	"nắm bắt tình hình tư tưởng, dư luận xã hội và định hướng tư tưởng phục vụ hiệu quả nhiệm vụ phát triển kinh tế, văn hoá xã hội",
	"diễn tập phòng thủ, phòng thủ dân sự",
	"phong trào toàn dân tham gia bảo vệ chủ quyền lãnh thổ, an ninh biên giới quốc gia trong tình hình mới",
	"phòng chống dịch bệnh COVID-19",
	"tổ chức học tập, quán triệt và triển khai các nghị quyết, chỉ thị",
	"xây dựng cơ sở chính trị vững mạnh",
	"mô hình giúp dân phát triển kinh tế, xây dựng nông thôn mới",
	"thi đua quyết thắng trong lực lượng vũ trang",
	"phong trào “sản xuất giỏi, chiến đấu cao”",
	"biểu dương các điển hình tiên tiến",
}

func TestShippedPlanHasTheArticlesTasks(t *testing.T) {
	plan, err := agreements.ParseFile(shippedPlan)
	if err != nil {
		t.Fatal(err)
	}
	fold := func(s string) string {
		return strings.ToLower(strings.ReplaceAll(norm.NFC.String(s), " - ", "–"))
	}
	var titles []string
	for _, task := range plan.Tasks {
		titles = append(titles, fold(task.Title))
	}
	if !strings.Contains(plan.Agreement.Title, "2021–2025") {
		t.Errorf("agreement title %q lacks the period", plan.Agreement.Title)
	}
	for _, want := range articleTasks {
		found := false
		for _, title := range titles {
			if strings.Contains(title, fold(want)) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no task of the shipped plan says %q", want)
		}
	}
}
