export { freePort, freePorts } from '../../dev/free-ports';
