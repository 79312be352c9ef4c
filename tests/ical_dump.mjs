// Parse an iCalendar text (stdin) with Mozilla's ical.js, as Thunderbird does, and print each
// event as the client sees it: UID, start and end instants in UTC, summary, status and sequence.
// Usage: node tests/ical_dump.mjs <node_modules dir> < feed.ics
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const modules = process.argv[2];
const ICAL = (await import(pathToFileURL(path.join(modules, "ical.js", "dist", "ical.js")).href)).default;
const text = readFileSync(0, "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const utc = (time) => time.convertToZone(ICAL.Timezone.utcTimezone).toJSDate().toISOString();
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    start: utc(event.startDate),
    end: utc(event.endDate),
    tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
    summary: event.summary,
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
  };
});
const properties = Object.fromEntries(calendar.getAllProperties().map((p) => [p.name, String(p.getFirstValue())]));
process.stdout.write(JSON.stringify({ properties, events }));
