// The backports kernel line's suite (scripts/kernel-vm.mjs): every file of the common suite, plus
// the kinds Debian's stable kernel lacks (netkit, HSR/PRP, and bare UDP's refusal). One Node
// process, like suite.mjs.
import './suite.mjs';
import './newer.kernel.mjs';
