import { RESULTS_FORMAT } from '@moral-plantain/stats';

process.stdout.write(`stats ${RESULTS_FORMAT}\n`);
