import type { DeliveryRecord } from "@/lib/notify/deliveries";
import { RelativeTime } from "../ui/relative-time";

const STATUS_TEXT: Record<DeliveryRecord["status"], string> = {
  DELIVERED: "delivered",
  PENDING: "pending",
  DEAD: "gave up",
};

const STATUS_CLASS: Record<DeliveryRecord["status"], string> = {
  DELIVERED: "text-emerald-700 dark:text-emerald-400",
  PENDING: "text-amber-700 dark:text-amber-400",
  DEAD: "text-red-700 dark:text-red-400",
};

/** The promotion drawer's notifications: per target and event, where delivery stands and why it failed last. */
export function NotificationDeliveries({ deliveries }: { deliveries: DeliveryRecord[] }) {
  return (
    <section aria-labelledby="deliveries-heading">
      <h3 id="deliveries-heading" className="mb-2 font-medium">
        Notifications
      </h3>
      <table className="w-full text-left text-xs" data-testid="notification-deliveries">
        <thead className="text-zinc-500 dark:text-zinc-400">
          <tr>
            <th scope="col" className="py-1 pr-2 font-normal">
              Target
            </th>
            <th scope="col" className="py-1 pr-2 font-normal">
              Event
            </th>
            <th scope="col" className="py-1 pr-2 font-normal">
              Status
            </th>
            <th scope="col" className="py-1 pr-2 text-right font-normal">
              Attempts
            </th>
            <th scope="col" className="py-1 font-normal">
              Last error
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id} className="border-t border-zinc-200 align-top dark:border-zinc-800">
              <td className="py-1 pr-2">{d.target}</td>
              <td className="py-1 pr-2 font-mono">{d.eventType.replace(/^promotion\./, "")}</td>
              <td className={`py-1 pr-2 ${STATUS_CLASS[d.status]}`}>
                {STATUS_TEXT[d.status]}
                {d.status === "DELIVERED" && d.deliveredAt && (
                  <>
                    {" "}
                    <RelativeTime date={d.deliveredAt} className="text-zinc-500 dark:text-zinc-400" />
                  </>
                )}
                {d.status === "PENDING" && d.attempts > 0 && d.nextAttemptAt && (
                  <>
                    , retry <RelativeTime date={d.nextAttemptAt} className="text-zinc-500 dark:text-zinc-400" />
                  </>
                )}
              </td>
              <td className="py-1 pr-2 text-right tabular-nums">{d.attempts}</td>
              <td className="break-words py-1">{d.lastError ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
