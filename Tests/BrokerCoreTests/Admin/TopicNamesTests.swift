// Goal: topic names are checked exactly as Kafka checks them, with Kafka's messages.
// Method: a table of legal and illegal names, and the '.'/'_' collision rule.

import Testing
import TernBrokerCore

@Suite struct TopicNamesTests {
    @Test(arguments: ["a", "orders", "Orders.v2", "__consumer_offsets", "a-b_c.d", "0", String(repeating: "x", count: 249), "..."])
    func problem_legalName_isNil(name: String) {
        #expect(TopicNames.problem(with: name) == nil)
    }

    @Test(arguments: [
        ("", "Topic name is illegal, it can't be empty"),
        (".", "Topic name cannot be \".\" or \"..\""),
        ("..", "Topic name cannot be \".\" or \"..\""),
        (String(repeating: "x", count: 250),
         "Topic name is illegal, it can't be longer than 249 characters, topic name: " + String(repeating: "x", count: 250)),
        ("a b", "Topic name \"a b\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"),
        ("tópico", "Topic name \"tópico\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"),
        ("a/b", "Topic name \"a/b\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"),
    ])
    func problem_illegalName_givesKafkasMessage(name: String, message: String) {
        #expect(TopicNames.problem(with: name) == message)
    }

    @Test func collide_dotAndUnderscore_collideButSameNameDoesNot() {
        #expect(TopicNames.collide("a.b", "a_b"))
        #expect(TopicNames.collide("a_b.c", "a.b_c"))
        #expect(!TopicNames.collide("a.b", "a.b"))
        #expect(!TopicNames.collide("a.b", "a-b"))
    }
}
