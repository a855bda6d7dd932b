import { version } from '@moral-plantain/stats';

process.stdout.write(`stats ${version}\n`);
