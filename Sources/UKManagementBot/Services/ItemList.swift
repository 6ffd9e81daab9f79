/// The `{"items": [...]}` wrapper of the contract's list answers.
struct ItemList<Item: Decodable>: Decodable {
    var items: [Item]
}
