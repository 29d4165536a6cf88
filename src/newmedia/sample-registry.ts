/**
 * The example registry spreadsheet (fixtures/newmedia/registry.xlsx): fictional units of the demo city 青山市, written
 * the way real registries come — a merged title row, labels with full-width spaces and notes in brackets, 单位名称
 * merged over its accounts' rows, dates as date cells, Excel serials and text, blank rows, a note under the table, an
 * extra sheet of websites and one of instructions — with bad rows that the import must report.
 *
 * `fixtures/newmedia/make-registry.ts` writes the committed file; tests build it with their loopback servers' origins.
 */
import ExcelJS from 'exceljs';

export interface SampleOrigins {
  /** Origin serving fixtures/newmedia/loopback (feeds, posts, closed sites). */
  feeds: string;
  /** Origin of the closed sites (usually the same server). */
  closed: string;
  /** The demo city site (青山市人民政府), the parent of the closed sites. */
  parent: string;
}

export const DEFAULT_SAMPLE_ORIGINS: SampleOrigins = { feeds: 'http://127.0.0.1:8091', closed: 'http://127.0.0.1:8091', parent: 'http://127.0.0.1:8080' };

function serial(y: number, m: number, d: number): number {
  return (Date.UTC(y, m - 1, d) - Date.UTC(1899, 11, 30)) / 86_400_000;
}

export async function buildSampleRegistry(o: SampleOrigins = DEFAULT_SAMPLE_ORIGINS): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'govsite';
  wb.created = new Date(Date.UTC(2021, 5, 15));
  wb.modified = wb.created;

  const ws = wb.addWorksheet('政务新媒体');
  ws.addRow(['青山市政务新媒体名录（示例，单位和账号均为虚构）']);
  ws.mergeCells('A1:J1');
  ws.addRow(['序号', '单位名称\u3000', '账号名称', '平台（微信/微博/抖音/今日头条/快手/App/其他）', '账号ID', '认证主体', '*运营状态', '主页地址', '订阅地址', '最近更新']);
  const f = (p: string) => `${o.feeds}/feeds/${p}`;
  const rows: unknown[][] = [
    [1, '青山市人民政府', '青山发布', '微信', 'qingshanfabu', '青山市人民政府办公室', '正常', null, f('fresh.xml'), new Date(Date.UTC(2021, 5, 12))],
    [2, null, '青山发布', '新浪微博', '6012345678', '青山市人民政府办公室', '正常', 'https://weibo.com/u/6012345678', f('stale20.xml'), serial(2021, 5, 26)],
    [3, null, '青山发布', '抖音', 'qsfb2020', '青山市人民政府办公室', '正常', 'https://www.douyin.com/user/demo-qsfb', f('old4m.atom'), '2021年2月10日'],
    [4, null, '青山政务', '微信公众号', 'qszhengwu', '青山市人民政府办公室', '运营', null, f('fail.xml'), null],
    [5, null, '青山市民之声', '头条号', '1700001', '王晓明', '正常', 'https://www.toutiao.com/c/user/1700001/', f('minsheng.json'), '2021/6/4'],
    [6, null, '指尖青山', 'APP', null, '青山市人民政府办公室', '正常', null, null, '2021-06-10 09:00'],
    [],
    [7, '青山市\u3000教育局', '青山教育', '微信', 'qsjyj', '青山市教育局', '正常', null, null, new Date(Date.UTC(2021, 5, 1))],
    [8, '青山市旅游局', '青山旅游', '微博', '6099999999', '青山市旅游局', '已注销', null, null, null],
    [9, '青山市人民政府', '青山发布', null, null, '青山市人民政府办公室', '正常', null, null, null],
    [10, '青山市卫生健康委员会', '健康青山', '微信', 'jkqs', '青山市卫生健康委员会', '暂停', null, null, null],
    [11, '青山市交通运输局', '青山交通', '抖音', null, '青山市交通运输局', '正常', null, null, '上周'],
    [12, '青山市司法局', '青山司法', '微博', null, '青山市司法局', '正常', '见附件', null, null],
    [13, null, '青山文旅', '快手', null, '青山市文化旅游广电体育局', '正常', null, null, null],
    [],
    ['填表说明：平台填写微信、微博、抖音、今日头条、快手、App 或其他；运营状态填写正常、已注销、已关停或已报关停。'],
  ];
  for (const r of rows) ws.addRow(r);
  // 单位名称 of the city government spans its six accounts (rows 3–8).
  ws.mergeCells('B3:B8');
  ws.mergeCells('A18:J18');
  ws.getCell('J3').numFmt = 'yyyy-mm-dd';
  ws.getCell('J10').numFmt = 'yyyy"年"m"月"d"日"';
  ws.columns.forEach((c) => (c.width = 18));

  const sites = wb.addWorksheet('网站');
  sites.addRow(['单位名称', '网站名称', '网站地址', '运营状态', '迁移至']);
  sites.addRow(['青山市人民政府', '青山市人民政府门户网站', `${o.parent}/`, '正常', null]);
  sites.addRow(['青山市人民政府', '青山市旅游局网站', `${o.closed}/lyj/`, '已关停', `${o.parent}/`]);
  sites.addRow(['青山市人民政府', '青山市商务局网站', `${o.closed}/swj/`, '已报关停', `${o.parent}/`]);
  sites.addRow(['青山市人民政府', '青山经济技术开发区网站', `${o.closed}/kfq/`, '已关停', `${o.parent}/`]);
  sites.addRow(['青山市人民政府', '青山市档案馆网站', null, '已关停', null]);
  sites.columns.forEach((c) => (c.width = 24));

  const notes = wb.addWorksheet('说明');
  notes.addRow(['本表为 govsite 的示例名录，单位、账号和网址均为虚构。']);
  notes.addRow(['订阅地址指向测试用的本机订阅源（fixtures/newmedia/loopback/feeds）。']);

  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Imports the example registry into a database (the dashboard's demo), as `govsite newmedia import` would. */
export async function seedSampleRegistry(db: import('../store/db.ts').Db, o: SampleOrigins, now: string): Promise<void> {
  const { parseRegistry } = await import('./import.ts');
  const { applyRecords } = await import('./store.ts');
  const parsed = await parseRegistry(await buildSampleRegistry(o), 'registry.xlsx');
  applyRecords(
    db,
    { accounts: parsed.accounts.map((a) => ({ ...a, origin: `import:registry.xlsx#${a.sheet}!${a.row}` })), websites: parsed.websites.map((w) => ({ ...w, origin: `import:registry.xlsx#${w.sheet}!${w.row}` })) },
    'import:registry.xlsx',
    now,
    { keepMissing: true },
  );
}
