// Part of `npm run bench` (cli-speed.js runs it as a process of its own): the system calls a `certkit status --store`
// cannot do without, made by a bare script with nothing parsed and nothing analysed: the floor under status's time,
// beside node's start. Per certificate: list live/NAME and archive/NAME, read the four live/ links, read the
// certificate, the key and the renewal conf, and stat the key.
//   node bench/status-floor.js STORE
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

const store = process.argv[2];
if (!store) throw new Error('usage: node bench/status-floor.js STORE');
const names = readdirSync(`${store}/live`, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
readdirSync(`${store}/archive`, { withFileTypes: true });
readdirSync(`${store}/renewal`, { withFileTypes: true });
for (const name of names) {
  readdirSync(`${store}/live/${name}`, { withFileTypes: true });
  const versions = readdirSync(`${store}/archive/${name}`, { withFileTypes: true });
  for (const kind of ['cert', 'chain', 'fullchain', 'privkey']) readlinkSync(`${store}/live/${name}/${kind}.pem`);
  const newest = Math.max(...versions.map((entry) => Number(/^cert(\d+)\.pem$/.exec(entry.name)?.[1] ?? 0)));
  readFileSync(`${store}/archive/${name}/cert${newest}.pem`);
  readFileSync(`${store}/archive/${name}/privkey${newest}.pem`);
  readFileSync(`${store}/renewal/${name}.conf`);
  lstatSync(`${store}/archive/${name}/privkey${newest}.pem`);
}
