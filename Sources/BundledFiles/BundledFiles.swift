/// The repository's message catalogs (`locales/*.json`) and SQL migrations (`Migrations/*.sql`),
/// compiled into the executable by the EmbedFiles build plugin: a copied binary needs neither
/// folder. `LOCALES_DIR` and `MIGRATIONS_DIR` still point the gateway at folders instead.
///
/// ``locales`` and ``migrations`` (generated) list each file's name and text, sorted by name.
public enum BundledFiles {}
