// The backports kernel line's suite (scripts/kernel-vm.mjs): every file of the common suite. One
// Node process, like suite.mjs.
import './suite.mjs';
