// `npm run import -- <csv files> --instrument BTC/USDT:USDT [--data-dir DIR]` (see IMPORT_USAGE)
import { runImportCli } from './import-cli';

process.exitCode = await runImportCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
