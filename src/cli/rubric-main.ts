import fs from 'node:fs';
import { rubricShow, rubricValidate } from './rubric-cmd.ts';
import { resolveRubricPath } from '../score/rubric.ts';
import { UsageError } from './usage.ts';

/** `govsite rubric validate FILE` · `govsite rubric show ID|FILE` · `govsite rubric list`. */
export async function rubricCommand(args: string[]): Promise<number> {
  const [sub, target, ...extra] = args;
  if (extra.length) throw new UsageError(`rubric ${sub} 只接受一个参数`);
  switch (sub) {
    case 'validate': {
      if (!target) throw new UsageError('rubric validate 需要一个文件：govsite rubric validate rubrics/x.yaml');
      if (!fs.existsSync(target)) throw new UsageError(`评分细则文件 ${target} 不存在`);
      const r = rubricValidate(target);
      if (r.ok) {
        process.stdout.write(`评分细则校验通过：${target}\n`);
        return 0;
      }
      process.stderr.write(`评分细则校验未通过：${target}\n${r.errors.map((e) => '  ' + e).join('\n')}\n`);
      return 1;
    }
    case 'show': {
      if (!target) throw new UsageError('rubric show 需要评分细则编号或文件：govsite rubric show hunan-2021-city');
      try {
        resolveRubricPath(target);
      } catch (e) {
        // an unknown id or a missing file is a bad argument (exit 2); a file that does not validate fails below (1)
        throw new UsageError(`评分细则“${target}”不存在（可用 govsite rubric list 查看）：${(e as Error).message}`);
      }
      process.stdout.write(rubricShow(target));
      return 0;
    }
    case 'list': {
      const { listRubrics } = await import('../score/rubric.ts');
      for (const r of listRubrics()) process.stdout.write(`${r.id}\t${r.title}${r.errors?.length ? '（校验未通过）' : ''}\n`);
      return 0;
    }
    default:
      throw new UsageError(sub ? `rubric 没有子命令“${sub}”（可用：list、show、validate）` : 'rubric 需要子命令：list、show <编号|文件>、validate <文件>');
  }
}
