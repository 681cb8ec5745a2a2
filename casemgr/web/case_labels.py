"""Labels of the codes the case pages show: statuses and steps (案件状态, 操作) of every
channel, kinds of documents, evidence and records, step-data fields and the other enumerations.

Each label is an English msgid marked with ``N_`` and translated when a page is rendered;
the Chinese terms (in the comments) are those of the lifecycle and model modules (行政处罚法,
刑事诉讼法, 生态环境损害赔偿管理规定 ...). A code without a label is shown as it is. A table of
data, hence its length.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext

from casemgr.criminal_thresholds import EVASIVE_METHOD_LABELS
from casemgr.i18n import N_

__all__ = [
    "EVENTS",
    "LABELS",
    "STATUSES",
    "Labels",
    "event_label",
    "label",
    "options",
    "status_label",
    "status_options",
]

# Status (案件状态) of each track's lifecycle.
STATUSES: Mapping[str, Mapping[str, str]] = {
    "administrative": {
        "lead": N_("Lead"),  # 线索
        "filed": N_("Filed"),  # 立案
        "investigating": N_("Investigating"),  # 调查取证
        "review": N_("Case review"),  # 案件审查
        "legal_review": N_("Legal review"),  # 法制审核
        "collective_discussion": N_("Collective discussion"),  # 集体讨论
        "notified": N_("Prior notice served"),  # 已事先告知
        "statement_defence": N_("Statement and defence"),  # 陈述申辩
        "hearing": N_("Hearing"),  # 听证
        "decided": N_("Decided"),  # 已作出处罚决定
        "served": N_("Decision served"),  # 处罚决定书已送达
        "enforcing": N_("Enforcement"),  # 执行
        "court_enforcement": N_("Court enforcement applied for"),  # 已申请法院强制执行
        "closed": N_("Closed"),  # 结案
        "archived": N_("Archived"),  # 归档
        "not_filed": N_("Not filed"),  # 不予立案
        "suspended": N_("Investigation suspended"),  # 中止调查
        "transferred_criminal": N_("Transferred to judicial organs"),  # 移送司法机关
        "transferred_detention": N_("Transferred for administrative detention"),  # 移送行政拘留
        "no_penalty_minor": N_("No penalty (minor)"),  # 不予处罚（情节轻微）
        "no_penalty_unfounded": N_("No penalty (facts not established)"),  # 不予处罚（事实不成立）
        "withdrawn": N_("Withdrawn or revoked"),  # 撤销
        "on_the_spot": N_("Penalised on the spot"),  # 当场处罚
        "on_the_spot_reported": N_("On-the-spot penalty reported"),  # 当场处罚已备案
    },
    "criminal": {
        "reported": N_("Transfer report drafted"),  # 移送报告
        "approved": N_("Transfer approved"),  # 批准移送
        "handed_over": N_("Handed over to the police"),  # 已移送公安机关
        "police_review": N_("Police filing review"),  # 公安机关立案审查
        "investigation": N_("Criminal investigation"),  # 立案侦查
        "prosecution_review": N_("Prosecution review"),  # 审查起诉
        "indicted": N_("Indicted"),  # 提起公诉
        "trial_1": N_("First-instance trial"),  # 一审
        "appeal_window": N_("Appeal period"),  # 上诉抗诉期
        "trial_2": N_("Second-instance trial"),  # 二审
        "final": N_("Judgment in force"),  # 裁判生效
        "execution": N_("Execution of the sentence"),  # 刑罚执行
        "closed": N_("Closed"),  # 结案
        "transfer_declined": N_("Transfer not approved"),  # 不批准移送
        "materials_requested": N_("Materials requested"),  # 补充材料
        "refused": N_("Filing refused"),  # 不予立案
        "reconsideration": N_("Reconsideration"),  # 复议
        "supervision": N_("Filing supervision"),  # 立案监督
        "filing_ordered": N_("Filing ordered by the procuratorate"),  # 检察院通知立案
        "supplementary_investigation": N_("Supplementary investigation"),  # 退回补充侦查
        "not_prosecuted": N_("Not prosecuted"),  # 不起诉
        "returned": N_("Returned for administrative handling"),  # 退回作行政处理
    },
    "civil_pil": {
        "clue": N_("Clue"),  # 线索
        "announced": N_("Pre-suit announcement"),  # 诉前公告
        "suit_filed": N_("Suit filed"),  # 已起诉
        "accepted": N_("Accepted by the court"),  # 立案受理
        "trial": N_("Trial"),  # 审理
        "settlement_published": N_("Settlement published"),  # 调解协议公告
        "mediated": N_("Mediation statement issued"),  # 已出具调解书
        "judged": N_("First-instance judgment"),  # 一审判决
        "appeal": N_("Second instance"),  # 二审
        "final": N_("Judgment in force"),  # 裁判生效
        "enforcement": N_("Enforcement"),  # 执行
        "closed": N_("Closed"),  # 结案
        "suspended": N_("Proceedings suspended"),  # 中止诉讼
        "withdrawn": N_("Suit withdrawn"),  # 撤诉
        "rejected": N_("Rejected"),  # 不予受理或驳回起诉
        "not_pursued": N_("Not pursued"),  # 不提起诉讼
    },
    "administrative_pil": {
        "clue": N_("Clue"),  # 线索
        "filed": N_("Filed"),  # 立案
        "investigation": N_("Investigation and verification"),  # 调查核实
        "recommendation_issued": N_("Procuratorial recommendation issued"),  # 已发出检察建议
        "reply_received": N_("Reply received"),  # 收到书面回复
        "follow_up_check": N_("Follow-up check"),  # 跟进调查
        "closed_complied": N_("Closed: the agency complied"),  # 依法履职，终结案件
        "suit_filed": N_("Suit filed"),  # 已起诉
        "judged": N_("First-instance judgment"),  # 一审判决
        "appeal": N_("Second instance"),  # 二审
        "final": N_("Judgment in force"),  # 裁判生效
        "closed": N_("Closed"),  # 结案
        "withdrawn": N_("Suit withdrawn"),  # 撤诉
        "terminated": N_("Not filed or review ended"),  # 不立案或终结审查
    },
    "compensation": {
        "lead": N_("Lead"),  # 线索
        "screening": N_("Lead screening"),  # 线索筛查
        "not_started": N_("Claim not started"),  # 不启动索赔
        "investigation": N_("Damage investigation"),  # 索赔启动、损害调查
        "assessment": N_("Appraisal and assessment"),  # 鉴定评估
        "consultation": N_("Consultation"),  # 磋商
        "agreement": N_("Compensation agreement"),  # 赔偿协议
        "judicial_confirmation": N_("Judicial confirmation"),  # 司法确认
        "performance": N_("Performance"),  # 履行
        "effect_evaluation": N_("Effect evaluation"),  # 修复效果评估
        "closed": N_("Closed"),  # 结案
        "consultation_failed": N_("Consultation failed"),  # 磋商不成
        "litigation": N_("Litigation"),  # 诉讼
        "judgment": N_("First-instance judgment"),  # 一审判决
        "appeal": N_("Second instance"),  # 二审
        "judgment_final": N_("Judgment in force"),  # 裁判生效
        "enforcement": N_("Enforcement"),  # 执行
        "withdrawn": N_("Claim withdrawn"),  # 终止索赔或撤诉
    },
}

# Steps (操作) of each track's lifecycle.
EVENTS: Mapping[str, Mapping[str, str]] = {
    "administrative": {
        "file": N_("File the case"),  # 立案
        "decline_to_file": N_("Decline to file"),  # 不予立案
        "penalise_on_the_spot": N_("Penalise on the spot"),  # 当场作出处罚决定
        "report_on_the_spot": N_("Report the on-the-spot penalty"),  # 当场处罚报所属机关备案
        "start_investigation": N_("Start the investigation"),  # 开展调查
        "conclude_investigation": N_("Conclude the investigation"),  # 调查终结，移送审查
        "return_for_investigation": N_("Return for further investigation"),  # 补充调查
        "notify": N_("Serve the prior notice"),  # 送达事先告知书
        "receive_statement": N_("Record the statement and defence"),  # 收到陈述申辩
        "end_reply_period": N_("Close the reply period"),  # 陈述申辩期满或书面放弃
        "complete_recheck": N_("Complete the re-check"),  # 复核完毕
        "request_hearing": N_("Record a hearing request"),  # 申请听证
        "conclude_hearing": N_("Conclude the hearing"),  # 听证结束
        "waive_hearing": N_("Record the hearing waiver"),  # 放弃听证
        "request_legal_review": N_("Submit for legal review"),  # 送法制审核
        "pass_legal_review": N_("Pass the legal review"),  # 法制审核通过
        "fail_legal_review": N_("Fail the legal review"),  # 法制审核未通过
        "refer_collective_discussion": N_("Refer to collective discussion"),  # 提交集体讨论
        "conclude_collective_discussion": N_("Conclude the collective discussion"),  # 集体讨论结束
        "decide": N_("Decide the penalty"),  # 作出行政处罚决定
        "decide_no_penalty_minor": N_("Decide no penalty (minor)"),  # 作出不予处罚决定（情节轻微）
        "decide_no_penalty_unfounded": N_(
            "Decide no penalty (facts not established)"
        ),  # 作出不予处罚决定（事实不成立）
        "transfer_criminal": N_("Transfer to judicial organs"),  # 移送司法机关
        "returned_by_judicial_organs": N_("Returned by judicial organs"),  # 司法机关退回
        "criminal_case_concluded": N_("Criminal liability pursued"),  # 已追究刑事责任
        "transfer_detention": N_("Transfer for administrative detention"),  # 移送公安机关行政拘留
        "receive_detention_decision": N_(
            "Record the police's detention decision"
        ),  # 收到公安机关拘留决定
        "suspend": N_("Suspend the investigation"),  # 中止调查
        "resume": N_("Resume the investigation"),  # 恢复调查
        "withdraw": N_("Withdraw the case"),  # 撤销立案
        "revoke_decision": N_("Revoke the decision"),  # 撤销处罚决定
        "serve": N_("Serve the decision"),  # 送达处罚决定书
        "start_enforcement": N_("Start enforcement"),  # 进入执行
        "send_reminder": N_("Serve a written reminder"),  # 送达催告书
        "apply_court_enforcement": N_("Apply to the court for enforcement"),  # 申请法院强制执行
        "record_performance": N_("Record performance"),  # 履行完毕
        "close": N_("Close the case"),  # 结案
        "archive": N_("Archive"),  # 归档
    },
    "criminal": {
        "approve_transfer": N_("Approve the transfer"),  # 批准移送
        "decline_transfer": N_("Decline the transfer"),  # 不批准移送
        "advise_transfer": N_("Procuratorate advises transfer"),  # 检察院建议移送
        "hand_over": N_("Hand over to the police"),  # 移送公安机关
        "acknowledge_receipt": N_("Police acknowledge receipt"),  # 公安机关签收
        "request_materials": N_("Police request materials"),  # 公安机关通知补充材料
        "supply_materials": N_("Supply materials"),  # 补充移送材料
        "file_case": N_("Police file the case"),  # 公安机关立案
        "refuse_to_file": N_("Police refuse to file"),  # 公安机关不予立案
        "request_reconsideration": N_("Request reconsideration"),  # 提请复议
        "uphold_refusal": N_("Reconsideration upholds the refusal"),  # 复议维持不予立案
        "reverse_refusal": N_("Reconsideration reverses the refusal"),  # 复议决定立案
        "request_supervision": N_("Request filing supervision"),  # 建议检察院立案监督
        "require_explanation": N_("Require the police to explain"),  # 要求公安机关说明不立案理由
        "explain_refusal": N_("Police explain the refusal"),  # 公安机关说明不立案理由
        "order_filing": N_("Order the police to file"),  # 通知公安机关立案
        "support_refusal": N_("Find the refusal justified"),  # 认为不立案理由成立
        "accept_refusal": N_("Accept the refusal"),  # 接受不予立案决定
        "hand_over_seized_items": N_("Hand over seized items"),  # 移交涉案物品
        "withdraw_case": N_("Police withdraw the case"),  # 撤销案件
        "refer_for_prosecution": N_("Refer for prosecution"),  # 移送审查起诉
        "return_for_supplementary": N_("Return for supplementary investigation"),  # 退回补充侦查
        "resubmit": N_("Resubmit after supplementary investigation"),  # 补充侦查完毕重新移送
        "indict": N_("Indict"),  # 提起公诉
        "decide_not_to_prosecute": N_("Decide not to prosecute"),  # 作出不起诉决定
        "return_to_agency": N_("Return to the agency"),  # 不起诉决定通知生态环境部门
        "accept_for_trial": N_("Court accepts the case"),  # 法院受理
        "judge_first_instance": N_("First-instance judgment"),  # 一审判决
        "appeal": N_("Appeal or protest"),  # 上诉、抗诉
        "become_final": N_("Judgment becomes final"),  # 判决生效
        "judge_second_instance": N_("Second-instance judgment"),  # 二审判决
        "remand": N_("Remand for retrial"),  # 发回重审
        "start_execution": N_("Hand over for execution"),  # 交付执行
        "complete_execution": N_("Execution completed"),  # 执行完毕
        "close_without_execution": N_("Close without execution"),  # 无需执行，结案
        "close": N_("Close the case"),  # 结案
    },
    "civil_pil": {
        "announce": N_("Publish the pre-suit announcement"),  # 发布诉前公告
        "terminate": N_("Terminate the review"),  # 终结审查
        "another_plaintiff_sued": N_("Another plaintiff sued"),  # 有关机关或组织已起诉
        "file_suit": N_("Social organisation files suit"),  # 社会组织提起诉讼
        "prosecute_suit": N_("Procuratorate files suit"),  # 检察机关提起民事公益诉讼
        "file_with_indictment": N_("File with the indictment"),  # 提起刑事附带民事公益诉讼
        "accept": N_("Accept the case"),  # 立案受理
        "reject": N_("Reject"),  # 不予受理或驳回起诉
        "serve_complaint": N_("Serve the complaint"),  # 起诉状副本送达被告
        "publish_acceptance": N_("Publish the acceptance"),  # 公告案件受理情况
        "notify_regulator": N_("Notify the regulator"),  # 告知负有监管职责的部门
        "join_plaintiff": N_("Join a co-plaintiff"),  # 列为共同原告
        "start_trial": N_("Open the trial"),  # 开庭审理
        "conclude_debate": N_("Conclude the court debate"),  # 法庭辩论终结
        "publish_settlement": N_("Publish the settlement"),  # 公告调解协议
        "reject_settlement": N_("Reject the settlement"),  # 不出具调解书
        "issue_mediation": N_("Issue the mediation statement"),  # 出具调解书
        "judge": N_("Render the judgment"),  # 作出一审判决
        "serve_judgment": N_("Serve the judgment"),  # 送达判决书
        "appeal": N_("Appeal"),  # 上诉
        "become_final": N_("Judgment becomes final"),  # 判决生效
        "judge_second_instance": N_("Second-instance judgment"),  # 二审判决
        "withdraw_appeal": N_("Allow the appeal to be withdrawn"),  # 准许撤回上诉
        "remand": N_("Remand for retrial"),  # 发回重审
        "start_enforcement": N_("Start enforcement"),  # 进入执行
        "complete": N_("Performance completed"),  # 履行完毕
        "suspend": N_("Suspend the proceedings"),  # 中止诉讼
        "resume": N_("Resume the proceedings"),  # 恢复诉讼
        "withdraw": N_("Allow the withdrawal"),  # 准许撤诉
        "close": N_("Close the case"),  # 结案
        "close_review": N_("Close the procuratorate's review"),  # 检察机关结案
    },
    "administrative_pil": {
        "file": N_("File the case"),  # 立案
        "start_investigation": N_("Start verification"),  # 调查核实
        "terminate": N_("Terminate the review"),  # 终结审查
        "issue_recommendation": N_("Issue a procuratorial recommendation"),  # 发出检察建议
        "receive_reply": N_("Record the agency's reply"),  # 收到书面回复
        "start_follow_up": N_("Start the follow-up check"),  # 跟进调查
        "record_follow_up": N_("Record the follow-up result"),  # 记录履职情况
        "close_complied": N_("Close: the agency complied"),  # 依法履职，终结案件
        "file_suit": N_("File an administrative public-interest suit"),  # 提起行政公益诉讼
        "judge": N_("Render the judgment"),  # 作出一审判决
        "serve_judgment": N_("Serve the judgment"),  # 送达判决书
        "appeal": N_("Appeal"),  # 上诉
        "become_final": N_("Judgment becomes final"),  # 判决生效
        "judge_second_instance": N_("Second-instance judgment"),  # 二审判决
        "withdraw_appeal": N_("Allow the appeal to be withdrawn"),  # 准许撤回上诉
        "remand": N_("Remand for retrial"),  # 发回重审
        "withdraw": N_("Allow the withdrawal"),  # 准许撤诉
        "close": N_("Close the case"),  # 结案
        "close_review": N_("Close the procuratorate's review"),  # 检察机关结案
    },
    "compensation": {
        "start_screening": N_("Start screening"),  # 线索筛查
        "start_claim": N_("Start the claim"),  # 启动索赔
        "decide_not_to_start": N_("Decide not to start a claim"),  # 不启动索赔
        "start_assessment": N_("Commission the assessment"),  # 委托鉴定评估
        "serve_consultation_notice": N_("Serve the consultation notice"),  # 送达磋商书面通知
        "record_round": N_("Record a consultation round"),  # 记录磋商会议
        "reach_agreement": N_("Sign the agreement"),  # 签订赔偿协议
        "fail_consultation": N_("Record failed consultation"),  # 磋商不成
        "apply_confirmation": N_("Apply for judicial confirmation"),  # 申请司法确认
        "publish_confirmation_notice": N_("Court publishes the agreement"),  # 法院公告协议
        "confirm_agreement": N_("Confirm the agreement"),  # 裁定确认协议有效
        "refuse_confirmation": N_("Refuse confirmation"),  # 裁定不予确认
        "begin_performance": N_("Begin performance"),  # 开始履行
        "record_non_performance": N_("Record non-performance"),  # 协议未履行
        "file_suit": N_("File a compensation suit"),  # 提起生态环境损害赔偿诉讼
        "render_judgment": N_("Serve the first-instance judgment"),  # 一审判决送达
        "file_appeal": N_("Record the appeal"),  # 上诉
        "render_appeal_judgment": N_("Second-instance judgment"),  # 二审判决
        "record_finality": N_("Judgment becomes final"),  # 判决生效
        "apply_enforcement": N_("Apply for enforcement"),  # 申请强制执行
        "terminate_enforcement": N_("Terminate enforcement"),  # 终结执行
        "start_evaluation": N_("Start the effect evaluation"),  # 开展修复效果评估
        "record_evaluation": N_("Record the evaluation result"),  # 记录修复效果评估结论
        "resume_restoration": N_("Resume restoration"),  # 继续修复
        "close": N_("Close the case"),  # 结案
        "close_without_performance": N_("Close without performance"),  # 无需履行，结案
        "withdraw": N_("Withdraw the claim"),  # 终止索赔
        "withdraw_suit": N_("Allow the withdrawal"),  # 准许撤诉
    },
}

# Every other enumeration a page shows, by group.
LABELS: Mapping[str, Mapping[str, str]] = {
    "channel": {
        "administrative": N_("Administrative penalty"),  # 行政处罚
        "criminal": N_("Criminal"),  # 刑事
        "civil": N_("Civil and public-interest litigation"),  # 民事及公益诉讼
        "compensation": N_("Damage compensation"),  # 生态环境损害赔偿
    },
    "track": {
        "administrative": N_("Administrative penalty"),  # 行政处罚
        "criminal": N_("Criminal referral"),  # 刑事移送
        "civil_pil": N_("Civil public-interest suit"),  # 民事公益诉讼
        "administrative_pil": N_("Administrative public-interest suit"),  # 行政公益诉讼
        "compensation": N_("Damage compensation claim"),  # 生态环境损害赔偿
    },
    "deadline_state": {
        "open": N_("Running"),  # 进行中
        "met": N_("Met"),  # 已完成
        "missed": N_("Missed"),  # 已超期
        "paused": N_("Paused"),  # 暂停计算
        "cancelled": N_("Cancelled"),  # 已取消
    },
    "record_kind": {
        "inspection": N_("On-site inspection record"),  # 现场检查（勘察）笔录
        "interview": N_("Interview record"),  # 调查询问笔录
        "seal_up": N_("Seal-up and seizure record"),  # 查封、扣押笔录
        "sampling": N_("Sampling record"),  # 采样记录
        "other": N_("Other"),  # 其他
    },
    "evidence_kind": {
        "document": N_("Documentary evidence"),  # 书证
        "physical": N_("Physical evidence"),  # 物证
        "audio_visual": N_("Audio-visual material"),  # 视听资料
        "electronic_data": N_("Electronic data"),  # 电子数据
        "witness": N_("Witness testimony"),  # 证人证言
        "party_statement": N_("Party's statement"),  # 当事人的陈述
        "expert_opinion": N_("Expert opinion"),  # 鉴定意见
        "record": N_("Inspection or on-site record"),  # 勘验笔录、现场笔录
    },
    "document_kind": {
        "proposed_penalty_notice": N_("Prior notice of the proposed penalty"),  # 行政处罚事先告知书
        "hearing_notice": N_("Hearing notice"),  # 听证通知书
        "decision": N_("Penalty decision"),  # 行政处罚决定书
        "no_penalty_decision": N_("No-penalty decision"),  # 不予行政处罚决定书
        "correction_order": N_("Order to correct"),  # 责令改正违法行为决定书
        "demand": N_("Written reminder"),  # 催告书
    },
    "service_method": {
        "direct": N_("Direct service"),  # 直接送达
        "left_at_premises": N_("Service by leaving at the premises"),  # 留置送达
        "entrusted": N_("Entrusted service"),  # 委托送达
        "mail": N_("Service by mail"),  # 邮寄送达
        "electronic": N_("Electronic service"),  # 电子送达
        "public_notice": N_("Service by public notice"),  # 公告送达
    },
    "custody_action": {
        "collected": N_("Collected"),  # 收集提取
        "handed_over": N_("Handed over"),  # 已移交
        "stored": N_("Stored"),  # 入库保管
        "examined": N_("Sent for examination"),  # 送检鉴定
        "returned": N_("Returned"),  # 退还
        "destroyed": N_("Destroyed"),  # 销毁
    },
    "origin": {
        "inspection": N_("On-site inspection"),  # 现场检查
        "complaint_12369": N_("12369 complaint"),  # 12369环保举报
        "monitoring_alert": N_("Online monitoring alert"),  # 在线监控预警
        "referral": N_("Referral or assignment"),  # 移送、交办
        "random_draw": N_("Random inspection"),  # 双随机抽查
        "central_inspection": N_("Assigned by an environmental inspection"),  # 督察交办
        "other": N_("Other"),  # 其他
    },
    "evasive_method": dict(EVASIVE_METHOD_LABELS),
    "penalty_type": {
        "warning": N_("Warning"),  # 警告
        "circulated_criticism": N_("Circulated criticism"),  # 通报批评
        "fine": N_("Fine"),  # 罚款
        "confiscate_gains": N_("Confiscation of illegal gains"),  # 没收违法所得
        "confiscate_property": N_("Confiscation of illegal property"),  # 没收非法财物
        "suspend_permit": N_("Permit suspended"),  # 暂扣许可证件
        "lower_qualification": N_("Qualification lowered"),  # 降低资质等级
        "revoke_permit": N_("Permit revoked"),  # 吊销许可证件
        "restrict_production": N_("Production and business restricted"),  # 限制开展生产经营活动
        "order_suspension": N_("Ordered to suspend production or business"),  # 责令停产停业
        "order_closure": N_("Ordered to close"),  # 责令关闭
        "restrict_employment": N_("Employment restricted"),  # 限制从业
        "detention": N_("Administrative detention"),  # 行政拘留
        "bar_permit_applications": N_(
            "Barred from permit applications for a period"
        ),  # 一定时期内不得申请行政许可
        "suspension_for_rectification": N_(
            "Ordered to suspend production for rectification"
        ),  # 责令停产整治
        "ban_employment": N_("Employment banned"),  # 禁止从业
        "order_demolition": N_("Ordered to demolish within a time limit"),  # 责令限期拆除
    },
    "art58": {
        "major_public_interest": N_("Major public interest"),  # 涉及重大公共利益
        "major_rights_after_hearing": N_(
            "Major rights, after a hearing"
        ),  # 直接关系当事人重大权益，经过听证程序
        "complex": N_(
            "Complex case with several legal relations"
        ),  # 案件情况疑难复杂、涉及多个法律关系
        "other_statutory": N_("Other statutory case"),  # 法律、法规规定的其他情形
    },
    "stop_reason": {
        "hearing": N_("Hearing"),  # 听证
        "suspended": N_("Suspension"),  # 中止
        "criminal_transfer": N_("Criminal transfer pending"),  # 移送司法机关期间
        "appraisal": N_("Appraisal"),  # 鉴定
        "monitoring": N_("Monitoring and testing"),  # 监测、检测
        "assessment": N_("Assessment"),  # 评估
        "public_notice": N_("Public notice"),  # 公告
        "identification": N_("Identification"),  # 认定
        "service": N_("Service"),  # 送达
        "reconsideration": N_("Administrative reconsideration"),  # 行政复议
        "litigation": N_("Administrative litigation"),  # 行政诉讼
        "other": N_("Other"),  # 其他
    },
    "link_kind": {
        "criminal_referral": N_("Criminal referral"),  # 刑事移送
        "returned_for_penalty": N_("Returned for administrative penalty"),  # 退回作行政处理
        "incidental_civil": N_("Incidental civil public-interest suit"),  # 刑事附带民事公益诉讼
        "same_act": N_("Same act"),  # 同一行为
    },
    "party_role": {
        "party": N_("Party"),  # 当事人
        "suspect": N_("Suspect or defendant"),  # 犯罪嫌疑人、被告人
        "plaintiff": N_("Plaintiff"),  # 原告、公益诉讼起诉人
        "defendant": N_("Defendant or liable party"),  # 被告、赔偿义务人
        "claimant": N_("Claimant"),  # 赔偿权利人
        "third_party": N_("Third party"),  # 第三人
    },
    "payment_kind": {
        "fine": N_("Fine"),  # 罚款
        "surcharge": N_("Late-payment surcharge"),  # 加处罚款
        "confiscation": N_("Confiscation of illegal gains"),  # 没收违法所得
        "daily_penalty": N_("Daily continuous penalty"),  # 按日连续处罚罚款
        "compensation": N_("Damage compensation"),  # 生态环境损害赔偿
        "restoration_cost": N_("Restoration cost"),  # 修复费用
    },
    "timeline_kind": {
        "transition": N_("Step"),  # 程序步骤
        "document": N_("Document issued"),  # 制发文书
        "service": N_("Document served"),  # 文书送达
        "payment": N_("Payment"),  # 缴款
        "link": N_("Cases linked"),  # 案件关联
        "alert": N_("Alert"),  # 预警
        "milestone": N_("Restoration milestone"),  # 修复节点
        "evaluation": N_("Effect evaluation"),  # 修复效果评估
    },
    "alert_state": {
        "open": N_("Standing"),  # 待处理
        "referred": N_("Referred"),  # 已移送
        "dismissed": N_("Dismissed"),  # 已排除
    },
    "restoration_status": {
        "planned": N_("Planned"),  # 修复方案已确定
        "in_progress": N_("In progress"),  # 修复中
        "completed": N_("Completed"),  # 修复完成
        "evaluated": N_("Evaluated"),  # 已评估
        "exempt": N_("Evaluation exempt"),  # 免于评估
    },
    "procedure": {
        "general": N_("General procedure"),  # 普通程序
        "simple": N_("Simple procedure"),  # 简易程序
    },
    "verdict": {
        "conviction": N_("Conviction"),  # 有罪判决
        "acquittal": N_("Acquittal"),  # 无罪判决
        "exempted": N_("Guilty, exempted from punishment"),  # 免予刑事处罚
    },
    "filing_limit": {
        "standard": N_("Standard (3 days)"),  # 一般案件（3日）
        "leads_to_check": N_("Leads to check (7 days)"),  # 需核查线索（7日）
        "major_complex": N_("Major or complex (30 days)"),  # 重大、疑难、复杂（30日）
    },
    "attachment": {
        "transfer_letter": N_("Transfer letter"),  # 移送书
        "investigation_report": N_("Investigation report"),  # 调查报告
        "seized_items_list": N_("List of seized items"),  # 涉案物品清单
        "inspection_or_appraisal_report": N_(
            "Inspection or appraisal report"
        ),  # 检验报告或鉴定意见
        "penalty_decision": N_("Penalty decision"),  # 行政处罚决定书
        "site_record": N_("On-site record"),  # 现场笔录
        "photos_video": N_("Photos and video"),  # 照片、录像
        "monitoring_report": N_("Monitoring report"),  # 监测报告
        "identification_opinion": N_("Identification opinion"),  # 认定意见
        "other": N_("Other"),  # 其他
    },
    "judgment_kind": {
        "confirm_illegal": N_("Confirm illegal"),  # 确认违法
        "confirm_invalid": N_("Confirm invalid"),  # 确认无效
        "revoke": N_("Revoke"),  # 撤销或者部分撤销
        "order_performance": N_("Order performance within a period"),  # 判决在一定期限内履行
        "vary": N_("Vary"),  # 变更
        "dismiss": N_("Dismiss the claims"),  # 驳回诉讼请求
    },
    "pil_kind": {
        "ngo": N_("Social organisation"),  # 社会组织
        "procuratorate": N_("Procuratorate"),  # 检察机关
        "incidental": N_("Incidental to a criminal case"),  # 刑事附带民事公益诉讼
    },
    "field": {
        "reason": N_("Reason"),  # 理由
        "materials": N_("Materials to supply"),  # 需补充的材料
        "attachments": N_("Attachments"),  # 移送材料
        "filing_limit": N_("Filing time limit"),  # 立案审查期限
        "decided_on": N_("Date of the decision"),  # 决定日期
        "opinion": N_("Procuratorial opinion"),  # 检察意见
        "verdict": N_("Verdict"),  # 判决结果
        "fine_cents": N_("Criminal fine (yuan)"),  # 罚金（元）
        "second_instance_fine_cents": N_("Second-instance fine (yuan)"),  # 二审罚金（元）
        "kind": N_("Kind of suit"),  # 诉讼类型
        "registered_level": N_("Registration level of the organisation"),  # 社会组织登记层级
        "years_active": N_("Years of public-interest work"),  # 从事环境公益活动年限
        "violation_record_5y": N_("Violation record in the last 5 years"),  # 五年内有违法记录
        "plaintiff_name": N_("Plaintiff"),  # 原告、公益诉讼起诉人
        "support_suit": N_("Procuratorate supports the suit"),  # 检察机关支持起诉
        "claims_realised": N_("All claims realised"),  # 诉讼请求全部实现
        "urgent": N_("Urgent (reply within 15 days)"),  # 紧急情形（15日内回复）
        "reply_summary": N_("Summary of the reply"),  # 回复内容摘要
        "agency_performed": N_("The agency performed its duties"),  # 行政机关已依法履职
        "judgment_kind": N_("Kind of judgment"),  # 判决类型
        "not_started_note": N_("Note on not starting"),  # 不启动索赔说明
        "incident_level": N_("Incident level"),  # 突发环境事件等级
        "key_zone": N_("In a key protected zone"),  # 发生在重点保护区域
        "serious_consequences": N_("Serious consequences"),  # 造成严重后果
        "assessment_method": N_("Assessment method"),  # 鉴定评估方式
        "simple_undisputed": N_("Simple and undisputed"),  # 案情简单、无争议
        "damage_cents": N_("Damage (yuan)"),  # 损害数额（元）
        "notice_served_on": N_("Notice served on"),  # 通知送达日期
        "round_summary": N_("Summary of the round"),  # 磋商情况
        "agreed_cents": N_("Amount agreed (yuan)"),  # 协议赔偿数额（元）
        "restoration": N_("Restoration required"),  # 需要修复
        "performance_due_on": N_("Performance due on"),  # 履行期限
        "failure_ground": N_("Ground of failure"),  # 磋商不成情形
        "failure_note": N_("Note on the failure"),  # 磋商不成说明
        "refusal_reason": N_("Reason of the refusal"),  # 不予确认理由
        "awarded_cents": N_("Amount awarded (yuan)"),  # 判决赔偿数额（元）
        "evaluation_passed": N_("Evaluation passed"),  # 评估达标
        "evaluation_summary": N_("Summary of the evaluation"),  # 评估结论摘要
        "exemption_reason": N_("Ground of exemption from evaluation"),  # 免于评估情形
        "closing_reason": N_("Reason for closing"),  # 结案理由
        "withdrawal_reason": N_("Reason for withdrawal"),  # 撤回理由
        "report_officer_ids": N_("Officers of the transfer report"),  # 移送报告执法人员
        "procuratorate_notified_on": N_("Procuratorate notified on"),  # 通报检察机关日期
        "procuratorate_notice_note": N_("Note to the procuratorate"),  # 通报说明
    },
}


def _text(msgid: str | None, value: str) -> str:
    return gettext(msgid) if msgid else value


def label(group: str, value: object) -> str:
    """The translated label of ``value`` in ``group`` (the code itself when unlabelled)."""
    code = str(getattr(value, "value", value) if value is not None else "")
    return _text(LABELS.get(group, {}).get(code), code)


def status_label(track: str, value: str) -> str:
    """The translated name of a case status in its track's lifecycle."""
    return _text(STATUSES.get(track, {}).get(value), value)


def event_label(track: str, value: str) -> str:
    """The translated name of a step of a track's lifecycle."""
    return _text(EVENTS.get(track, {}).get(value), value)


class Labels:
    """The label functions of one page render, each msgid translated once.

    A family timeline of hundreds of rows asks for the same few labels over and over, and every
    ``gettext`` call looks up the request's locale and catalogue again. One instance serves one
    render (one locale): the blueprint's context processor makes a new one for each template.
    """

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def _text(self, msgid: str | None, value: str) -> str:
        if not msgid:
            return value
        text = self._cache.get(msgid)
        if text is None:
            text = self._cache[msgid] = str(gettext(msgid))
        return text

    def label(self, group: str, value: object) -> str:
        """As ``label``."""
        code = str(getattr(value, "value", value) if value is not None else "")
        return self._text(LABELS.get(group, {}).get(code), code)

    def status(self, track: str, value: str) -> str:
        """As ``status_label``."""
        return self._text(STATUSES.get(track, {}).get(value), value)

    def event(self, track: str, value: str) -> str:
        """As ``event_label``."""
        return self._text(EVENTS.get(track, {}).get(value), value)


def status_options(track: str) -> list[tuple[str, str]]:
    """(status, translated name) pairs of a track's lifecycle, for a select."""
    return [(code, gettext(msgid)) for code, msgid in STATUSES.get(track, {}).items()]


def options(group: str) -> list[tuple[str, str]]:
    """(code, translated label) pairs of a group, for a select or a set of checkboxes."""
    return [(code, gettext(msgid)) for code, msgid in LABELS[group].items()]
