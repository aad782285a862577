import { PGlite } from '@electric-sql/pglite';
let t0 = Date.now();
const a = await PGlite.create();
console.log('create', Date.now() - t0);
await a.query('create table x(i int)');
t0 = Date.now();
const dump = await a.dumpDataDir('none');
console.log('dump', Date.now() - t0, dump.size);
for (let i = 0; i < 3; i++) {
t0 = Date.now();
const b = await PGlite.create({ loadDataDir: dump });
console.log('load', Date.now() - t0, (await b.query('select count(*) from x')).rows);
t0 = Date.now();
const c = await PGlite.create();
console.log('create', Date.now() - t0);
}
