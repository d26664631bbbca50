import { main } from './main.ts';

// Entry point of the bundled CLI (dist/cli.js).
process.exitCode = await main(process.argv.slice(2));
