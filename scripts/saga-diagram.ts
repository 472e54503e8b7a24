/** `npm run saga:diagram`: the saga definition as a Mermaid stateDiagram-v2 (what the README embeds). */
import { sagaDiagram } from '../src/saga/diagram';

process.stdout.write(`${sagaDiagram()}\n`);
