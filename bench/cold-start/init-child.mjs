// Runs in a fresh `node` process: imports one built bundle (module init: its top-level code, SDK clients
// created at module scope) and prints how long that took, in wall and CPU time, as JSON on stdout.
import { pathToFileURL } from 'node:url';

const bundle = process.argv[2];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(pathToFileURL(bundle).href);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
if (typeof mod.handler !== 'function') throw new Error(`${bundle} exports no handler`);
process.stdout.write(JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }));
