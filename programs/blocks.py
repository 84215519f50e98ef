"""The intake questions a program asks, as StreamField blocks."""

from wagtail import blocks


class TextQuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=200)
    help_text = blocks.CharBlock(required=False, max_length=300)
    required = blocks.BooleanBlock(required=False, default=False)
    long_answer = blocks.BooleanBlock(required=False, default=True, help_text="Give a large box to write in.")

    class Meta:
        icon = "edit"
        label = "Text question"


class ChoiceQuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=200)
    help_text = blocks.CharBlock(required=False, max_length=300)
    choices = blocks.ListBlock(blocks.CharBlock(max_length=120), min_num=2)
    required = blocks.BooleanBlock(required=False, default=False)
    allow_several = blocks.BooleanBlock(required=False, default=False)

    class Meta:
        icon = "list-ul"
        label = "Choice question"


class ConsentQuestionBlock(blocks.StructBlock):
    """A yes/no statement the participant must agree to, such as working with a therapist alongside."""

    statement = blocks.TextBlock()
    required = blocks.BooleanBlock(required=False, default=True)

    class Meta:
        icon = "tick-inverse"
        label = "Yes/no consent"


class IntakeQuestionsBlock(blocks.StreamBlock):
    text = TextQuestionBlock()
    choice = ChoiceQuestionBlock()
    consent = ConsentQuestionBlock()
