// The swarm e2e tests' rotation: bench/swarm-rotate.js, shared with bench/swarm-rotation.js (it runs dist/).
export { rotateBed } from '../../../bench/swarm-rotate.js';
