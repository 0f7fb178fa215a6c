// `npm run backtest -- --data <recording id | csv path> --strategy <file> [--json] …` (see USAGE)
import { runBacktestCli } from './backtest-cli';

const code = await runBacktestCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY,
});
process.exitCode = code;
