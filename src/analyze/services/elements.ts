/**
 * The rubric's ten key elements of a service guide (重点要素类别) and the labels and platform JSON fields that carry
 * them. 办理时间 (office hours) and 办理时限 (time limit) are different elements; so are 联系电话 and 监督投诉.
 */

export type ElementKey = 'name' | 'basis' | 'conditions' | 'materials' | 'location' | 'agency' | 'fee' | 'hours' | 'phone' | 'process';
/** Labels read beside the ten, kept apart so that they are never taken for one of them. */
export type AuxKey = 'timeLimit' | 'complaint' | 'applyOnline' | 'category';

export const ELEMENT_KEYS: readonly ElementKey[] = ['name', 'basis', 'conditions', 'materials', 'location', 'agency', 'fee', 'hours', 'phone', 'process'];

export const ELEMENT_ZH: Record<ElementKey, string> = {
  name: '事项名称',
  basis: '设定依据',
  conditions: '申请条件',
  materials: '办理材料',
  location: '办理地点',
  agency: '办理机构',
  fee: '收费标准',
  hours: '办理时间',
  phone: '联系电话',
  process: '办理流程',
};

/** Label synonyms (normalised: no spaces or colons). A label equal to one of these, or ending with one after a short
 * qualifier (窗口办理地点, 事项办理流程), carries the element. */
const LABELS: Record<ElementKey | AuxKey, string[]> = {
  name: ['事项名称', '服务名称', '事项名', '办事事项', '服务事项', '实施清单名称', '基本编码事项名称', '审批事项名称', '事项全称'],
  basis: ['设定依据', '法律依据', '办理依据', '实施依据', '政策依据', '法定依据', '受理依据', '审批依据', '依据'],
  conditions: ['申请条件', '受理条件', '办理条件', '申办条件', '准入条件', '申报条件', '申请人条件', '受理标准', '申请资格'],
  materials: ['办理材料', '申请材料', '申报材料', '所需材料', '材料清单', '提交材料', '申请资料', '办事材料', '申请材料目录', '材料目录', '需提交材料', '办理资料'],
  location: ['办理地点', '受理地点', '办公地点', '办理地址', '受理地址', '窗口地址', '办事地点', '服务地点', '办理窗口', '受理窗口', '窗口位置'],
  agency: ['办理机构', '受理机构', '实施机构', '实施主体', '办理部门', '受理部门', '实施部门', '承办机构', '办理单位', '受理单位', '主管部门', '责任部门', '实施主体名称', '权力部门'],
  fee: ['收费标准', '收费情况', '是否收费', '收费项目', '办理费用', '费用标准', '收费', '收费依据及标准', '收费标准及依据'],
  hours: ['办理时间', '受理时间', '办公时间', '工作时间', '窗口办理时间', '服务时间', '窗口受理时间'],
  phone: ['联系电话', '咨询电话', '咨询方式', '联系方式', '咨询途径', '服务电话', '办事电话', '咨询及投诉电话', '咨询投诉电话', '电话咨询', '业务咨询'],
  process: ['办理流程', '办事流程', '办理程序', '受理流程', '流程图', '办理步骤', '审批流程', '办理环节', '办件流程', '审批程序', '服务流程', '办理流程图', '网上办理流程', '窗口办理流程'],
  timeLimit: ['办理时限', '承诺时限', '法定时限', '承诺办结时限', '法定办结时限', '办结时限', '审批时限', '承诺期限', '法定期限', '时限'],
  complaint: ['监督投诉', '投诉电话', '监督电话', '投诉方式', '监督投诉方式', '监督投诉电话', '投诉渠道', '监督投诉渠道'],
  applyOnline: ['在线办理', '网上办理', '在线申请', '网上申报', '在线申报', '网办地址', '网上办理地址', '是否网办', '网上办理深度'],
  category: ['服务对象', '事项类型', '事项类别', '办件类型', '行使层级'],
};

const LABEL_INDEX: { norm: string; key: ElementKey | AuxKey }[] = Object.entries(LABELS)
  .flatMap(([key, list]) => list.map((norm) => ({ norm, key: key as ElementKey | AuxKey })))
  // Longest first: 窗口办理时间 before 办理时间, 监督投诉电话 before 投诉电话.
  .sort((a, b) => b.norm.length - a.norm.length);

/** Words that make a label something else even when it ends like an element (材料名称 is a column, not 办理材料). */
const NOT_ELEMENT = /名称$(?<!事项名称|服务名称|实施清单名称|基本编码事项名称|审批事项名称|实施主体名称)|时限|期限|投诉|监督|表格下载|样表|示范文本/;

/**
 * Which element (or auxiliary label) a normalised label carries, or null. Exact synonyms first; then a synonym at the
 * end of a label at most four characters longer (窗口办理地点, 本事项办理流程). 办理时限 never reads as 办理时间.
 */
export function matchLabel(norm: string): ElementKey | AuxKey | null {
  if (!norm) return null;
  for (const { norm: n, key } of LABEL_INDEX) if (norm === n) return key;
  if (norm.length > 16) return null;
  for (const { norm: n, key } of LABEL_INDEX) {
    if (n.length < 3) continue; // 依据, 收费, 时限 only as whole labels
    if (norm.endsWith(n) && norm.length - n.length <= 4) {
      if (key !== 'timeLimit' && key !== 'complaint' && NOT_ELEMENT.test(norm)) continue;
      return key;
    }
  }
  return null;
}

export function isElementKey(k: string | null | undefined): k is ElementKey {
  return !!k && (ELEMENT_KEYS as readonly string[]).includes(k);
}

/**
 * Platform JSON fields (lower-cased) per element. Hunan's platform answers a guide as JSON (acceptanceCondition,
 * according, materialList …); other platforms use similar English or pinyin names.
 */
const JSON_FIELDS: Record<ElementKey | AuxKey, string[]> = {
  name: ['taskname', 'itemname', 'servicename', 'name', 'sxmc', 'matername', 'unifyname', 'implementname', 'title'],
  basis: ['according', 'setbasis', 'basis', 'legalbasis', 'accordingto', 'sdyj', 'lawbasis', 'setaccording'],
  conditions: ['acceptancecondition', 'acceptcondition', 'applycondition', 'condition', 'conditions', 'sqtj', 'handlecondition'],
  materials: ['materiallist', 'materials', 'material', 'materialinfo', 'clxx', 'sqcl', 'applymaterials', 'materialslist'],
  location: ['transactaddr', 'transactaddress', 'handleaddress', 'acceptaddress', 'address', 'bldd', 'windowaddress', 'handleplace', 'transactplace'],
  agency: ['deptname', 'orgname', 'implementorg', 'acceptorg', 'implementsubject', 'blbm', 'sljg', 'handledept', 'transactdept', 'implementdept'],
  fee: ['chargestandard', 'feestandard', 'ischarge', 'charge', 'chargeflag', 'sfbz', 'chargeinfo', 'charges', 'chargeitem'],
  hours: ['transacttime', 'handletime', 'accepttime', 'officehours', 'worktime', 'blsj', 'windowtime', 'officetime'],
  phone: ['linktel', 'consultphone', 'contactphone', 'consulttel', 'telephone', 'phone', 'zxdh', 'consultway', 'consulttype', 'linkphone', 'consultation'],
  process: ['handleflow', 'processflow', 'flow', 'transactprocess', 'flowchart', 'bllc', 'bllc', 'process', 'handleprocess', 'transactflow', 'flowdesc'],
  timeLimit: ['promiseday', 'promisedays', 'legalday', 'legaldays', 'timelimit', 'promisetimelimit', 'legaltimelimit', 'anticipateday', 'cnsx', 'fdsx'],
  complaint: ['supervisetel', 'complainttel', 'complaintphone', 'supervisephone', 'jdts', 'superviseway', 'complaint'],
  applyOnline: ['onlineurl', 'applyurl', 'transacturl', 'handleurl', 'wbdz', 'onlineapplyurl'],
  category: ['servicetype', 'serviceobject', 'tasktype', 'itemtype', 'fwdx', 'sxlx'],
};

const JSON_INDEX = new Map<string, ElementKey | AuxKey>();
for (const [key, list] of Object.entries(JSON_FIELDS)) for (const f of list) if (!JSON_INDEX.has(f)) JSON_INDEX.set(f, key as ElementKey | AuxKey);

/** Which element a JSON field name carries (case and `_`/`-` ignored), or null. */
export function matchJsonField(field: string): ElementKey | AuxKey | null {
  const f = field.toLowerCase().replace(/[_-]/g, '');
  return JSON_INDEX.get(f) ?? null;
}
