// Consumer fixture (scripts/check-consumer.mjs): the package's types through `require` (the
// "require" condition's declarations). Type-checked only, never run.
import netdev = require('netdev');

const links: Promise<netdev.Link[]> = netdev.listLinks();
// @ts-expect-error options are an object
void netdev.listLinks(42);

export = links;
