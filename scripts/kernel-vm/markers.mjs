// The lines the guest's /init prints on the serial console for the host (scripts/kernel-vm/
// boot.mjs), and their parser. Boot stages come in this order; each must arrive within a bounded
// time of the previous one, and once the tests run a heartbeat shows the guest is alive.
export const STAGES = ['kernel-up', 'modules-loaded', '9p-mounted', 'tests-started'];

export const MARK = {
  stage: 'NETDEV-VM-STAGE', // NETDEV-VM-STAGE <stage> [detail]
  heartbeat: 'NETDEV-VM-HEARTBEAT',
  insmodFail: 'NETDEV-VM-INSMOD-FAIL', // NETDEV-VM-INSMOD-FAIL <module>: <the kernel's reason>
  fail: 'NETDEV-VM-FAIL', // NETDEV-VM-FAIL <what failed>: <reason>
  dmesg: 'NETDEV-VM-DMESG', // NETDEV-VM-DMESG <a line of the guest kernel's log>
  exit: 'NETDEV-VM-EXIT', // NETDEV-VM-EXIT <the test script's exit status>
};

/** One console line → { type, ... } or null for ordinary output. */
export function parseMarker(line) {
  const m = /NETDEV-VM-([A-Z-]+)(?: (.*))?$/.exec(line.replace(/\r$/, ''));
  if (!m) return null;
  const rest = (m[2] ?? '').trim();
  switch (`NETDEV-VM-${m[1]}`) {
    case MARK.stage: {
      const [stage, ...detail] = rest.split(' ');
      return STAGES.includes(stage) ? { type: 'stage', stage, detail: detail.join(' ') } : null;
    }
    case MARK.heartbeat:
      return { type: 'heartbeat' };
    case MARK.insmodFail: {
      const i = rest.indexOf(': ');
      const module = i < 0 ? rest : rest.slice(0, i);
      return { type: 'fail', module, reason: `insmod ${module}: ${i < 0 ? 'failed' : rest.slice(i + 2)}` };
    }
    case MARK.fail:
      return { type: 'fail', reason: rest };
    case MARK.dmesg:
      return { type: 'dmesg', text: rest };
    case MARK.exit:
      return /^\d+$/.test(rest) ? { type: 'exit', status: Number(rest) } : null;
    default:
      return null;
  }
}
