import { useTranslation } from "react-i18next";
import type { ActorKind } from "../../../graphql/enums";

export interface PerformerActor {
  kind: ActorKind;
  name: string;
}

/** Who did something: a user's name, "platform" for the platform's own work, or "deleted
 * user" for someone no longer on file. */
export function Performer({ actor }: { actor: PerformerActor }) {
  const { t } = useTranslation("workflows");
  switch (actor.kind) {
    case "PLATFORM":
      return <span className="performer performer-platform">{t("performer.platform")}</span>;
    case "DELETED_USER":
      return <span className="performer performer-deleted">{t("performer.deletedUser")}</span>;
    case "USER":
      return <span className="performer">{actor.name}</span>;
  }
}
