"""The built-in campaign template: how a congress is really prepared, stage by stage.

Offsets are days relative to the unit's congress date (negative: before it). The clocks after the
congress follow Quy định 24-QĐ/TW (2021): the election dossier goes to the superior within 7
working days, and the superior approves (chuẩn y) within 15 working days of receiving it, so 22
working days after the congress at the latest.
"""

COMMITTEES = "commune_committee,sector_committee"
ALL = ""

# (stage, key, title_vi, title_en, required, kinds, offset_days, working_days, superior_only)
DEFAULT_ITEMS = [
    ("dissemination", "plan_issued", "Ban hành kế hoạch tổ chức đại hội",
     "Congress organisation plan issued", True, ALL, -50, False, False),
    ("dissemination", "briefing_held", "Tổ chức hội nghị triển khai, quán triệt chỉ thị, hướng dẫn",
     "Briefing on the directive and guidance held", True, ALL, -45, False, False),
    ("dissemination", "members_reached", "Quán triệt đến toàn thể đảng viên",
     "All party members briefed", True, ALL, -45, False, False),
    ("dissemination", "subcommittees_formed", "Thành lập các tiểu ban (văn kiện, nhân sự, tổ chức phục vụ)",
     "Sub-committees formed (documents, personnel, logistics)", True, COMMITTEES, -45, False, False),
    ("documents", "political_report_drafted", "Dự thảo báo cáo chính trị",
     "Political report drafted", True, ALL, -35, False, False),
    ("documents", "self_review_drafted", "Dự thảo báo cáo kiểm điểm của cấp ủy",
     "Committee self-review report drafted", True, ALL, -35, False, False),
    ("documents", "comments_collected", "Lấy ý kiến góp ý vào dự thảo văn kiện",
     "Comments on the drafts collected", True, ALL, -32, False, False),
    ("documents", "submitted_to_superior", "Trình cấp ủy cấp trên dự thảo văn kiện",
     "Drafts submitted to the superior committee", True, ALL, -30, False, False),
    ("documents", "approved_by_superior", "Cấp ủy cấp trên cho ý kiến, thông qua văn kiện",
     "Documents approved by the superior committee", True, ALL, -25, False, True),
    ("personnel", "reelection_candidates", "Giới thiệu nhân sự tái cử",
     "Re-election candidates nominated", True, ALL, -28, False, False),
    ("personnel", "first_time_candidates", "Giới thiệu nhân sự tham gia lần đầu",
     "First-time candidates nominated", True, ALL, -26, False, False),
    ("personnel", "standards_composition", "Rà soát tiêu chuẩn, cơ cấu (nữ, trẻ, dân tộc) và số dư",
     "Standards, composition (women, young, ethnic minority) and surplus checked", True, ALL, -24, False, False),
    ("personnel", "background_verified", "Thẩm tra, xác minh lý lịch chính trị",
     "Background and political verification done", True, ALL, -22, False, False),
    ("personnel", "dossiers_complete", "Hoàn chỉnh hồ sơ nhân sự",
     "Personnel dossiers complete", True, ALL, -21, False, False),
    ("personnel", "complaints_settled", "Giải quyết xong đơn thư khiếu nại, tố cáo",
     "All complaints and denunciations settled", True, ALL, -21, False, False),
    ("personnel", "plan_approved", "Cấp ủy cấp trên phê duyệt đề án nhân sự",
     "Personnel plan approved by the superior committee", True, ALL, -20, False, True),
    ("rehearsal", "script_written", "Xây dựng kịch bản điều hành đại hội",
     "Congress script written", True, ALL, -7, False, False),
    ("rehearsal", "logistics_ready", "Chuẩn bị hội trường, khánh tiết, tài liệu",
     "Hall, decorations and documents ready", True, ALL, -4, False, False),
    ("rehearsal", "rehearsal_held", "Tổ chức diễn thử (tổng duyệt) đại hội",
     "Congress rehearsal held", True, COMMITTEES, -3, False, False),
    ("congress", "congress_held", "Tổ chức đại hội",
     "Congress held", True, ALL, 0, False, False),
    ("congress", "committee_elected", "Bầu cấp ủy khóa mới",
     "New committee elected", True, ALL, 0, False, False),
    ("congress", "delegates_elected", "Bầu đại biểu dự đại hội cấp trên",
     "Delegates to the superior congress elected", True, ALL, 0, False, False),
    ("first_session", "standing_committee_elected", "Bầu Ban Thường vụ",
     "Standing committee elected", True, COMMITTEES, 0, False, False),
    ("first_session", "secretary_elected", "Bầu bí thư, phó bí thư",
     "Secretary and deputy secretaries elected", True, ALL, 0, False, False),
    ("first_session", "inspection_elected", "Bầu Ủy ban Kiểm tra và Chủ nhiệm UBKT",
     "Inspection committee and its chair elected", True, COMMITTEES, 0, False, False),
    ("first_session", "dossier_sent", "Gửi biên bản, danh sách trích ngang, lý lịch về cấp trên (7 ngày làm việc)",
     "Minutes, summary list and CVs sent to the superior (7 working days)", True, ALL, 7, True, False),
    ("first_session", "results_approved", "Cấp trên chuẩn y kết quả bầu cử (15 ngày làm việc)",
     "Election results approved by the superior (15 working days)", True, ALL, 22, True, True),
]
